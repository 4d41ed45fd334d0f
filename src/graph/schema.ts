/** The schema: every domain file registers its types on the builder. */
import { builder } from './builder.ts';
import './types/column.ts';
import './types/dataset.ts';
import './types/dataset-list.ts';
import './types/lookup.ts';
import './types/query.ts';
import './types/card.ts';
import './types/access.ts';
import './types/manage.ts';
import './types/indexing.ts';
import './types/stream/index.ts';
import './types/user.ts';
import './types/upload.ts';
import './types/version.ts';
import './types/version-mutations.ts';
import './types/rows/index.ts';

export const schema = builder.toSchema({ sortSchema: true });
