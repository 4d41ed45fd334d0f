/** Rows without SQL: the generic fields on Dataset (typed roots are added at startup, typed.ts). */
import './inputs.ts';
import './dataset-rows.ts';
import './row-pages.ts';
