/** SQL on a dataset: `Dataset.query(sql)` and `Query.sql(datasetId, sql)`. */
import type { GraphQLResolveInfo } from 'graphql';
import type { QueryAnswer } from '../../domo/query.ts';
import { builder } from '../builder.ts';
import type { GraphContext } from '../context.ts';
import { badUserInput } from '../errors.ts';
import { streamed } from '../stream-flow.ts';
import { DATASET_ID_ARG } from './args.ts';
import { asColumnType, ColumnTypeRef } from './column.ts';
import { DatasetRef, datasetColumns, datasetEntry } from './dataset.ts';
import { PAGE_SIZE_DESCRIPTION, pagesBounds, RowPageRef } from './row-page.ts';
import { selectsBeyond } from './selection.ts';

interface SqlResult {
  datasetId: string;
  sql: string;
  /** The answer up to MAX_QUERY_ROWS; null when only `pages` is asked (it reads its own). */
  answer: QueryAnswer | null;
}

interface ResultColumn {
  datasetId: string;
  name: string;
  /** Type from the answer itself (real-instance shape), or null to look it up. */
  known: string | null;
  sample: unknown;
}

async function runSql(
  ctx: GraphContext,
  info: GraphQLResolveInfo,
  datasetId: string,
  sql: string,
): Promise<SqlResult> {
  if (sql.trim() === '') throw badUserInput('sql must not be empty', 'sql');
  // `pages` alone runs no query here: it streams its own answer.
  if (!selectsBeyond(info, PAGES_ONLY)) return { datasetId, sql, answer: null };
  // Domo's answer is read only up to the cap (and one row more, to set `truncated`).
  const answer = await ctx.domo.query.execute(datasetId, sql, { maxRows: ctx.settings.maxQueryRows });
  return { datasetId, sql, answer };
}

const PAGES_ONLY = new Set(['pages', '__typename']);

/** The answer, there whenever a field other than `pages` is selected (runSql). */
function answerOf(r: SqlResult): QueryAnswer {
  if (!r.answer) throw new Error('the query result was not read');
  return r.answer;
}

/** Guesses a type from a value, for computed columns the schema does not know. */
function inferType(value: unknown): string | null {
  if (typeof value === 'number') return Number.isInteger(value) ? 'LONG' : 'DOUBLE';
  if (typeof value === 'string') {
    if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return 'DATE';
    if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}/.test(value)) return 'DATETIME';
    return 'STRING';
  }
  return null;
}

const ResultColumnRef = builder.objectRef<ResultColumn>('QueryColumn').implement({
  description: 'A column of a query result.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Column name or alias.' }),
    type: t.field({
      type: ColumnTypeRef,
      nullable: true,
      description:
        "Domo type: from Domo's answer when it carries types, else from the dataset's schema, else guessed from the values.",
      resolve: async (c, _, ctx) => {
        if (c.known) return asColumnType(c.known);
        const columns = await datasetColumns(ctx, c.datasetId, true);
        const match = columns.find((column) => column.name === c.name);
        return asColumnType(match?.type ?? inferType(c.sample));
      },
    }),
  }),
});

const QueryResultRef = builder.objectRef<SqlResult>('QueryResult').implement({
  description: 'The answer to a SQL query.',
  fields: (t) => ({
    columns: t.field({
      type: [ResultColumnRef],
      description: 'Columns, in order.',
      resolve: (result) => {
        const r = answerOf(result);
        return r.columns.map((name, i) => ({
          datasetId: result.datasetId,
          name,
          known: r.types[i] ?? null,
          sample: r.rows.find((row) => row[i] !== null && row[i] !== undefined)?.[i] ?? null,
        }));
      },
    }),
    rows: t.field({
      type: ['JSON'],
      description: 'Rows as arrays of values, in column order.',
      resolve: (r) => answerOf(r).rows,
    }),
    objects: t.field({
      type: ['JSONObject'],
      description: 'Rows as objects keyed by column name.',
      resolve: (result) => {
        const r = answerOf(result);
        return r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c, row[i] ?? null])));
      },
    }),
    rowCount: t.int({
      description: 'Rows returned (after truncation).',
      resolve: (r) => answerOf(r).rows.length,
    }),
    truncated: t.boolean({
      description:
        'True when Domo returned more rows than MAX_QUERY_ROWS and the rest were dropped; add a LIMIT.',
      resolve: (r) => answerOf(r).truncated,
    }),
    pages: t.field({
      type: [RowPageRef],
      description:
        'The answer in pages of rows, read from Domo as they are sent: ask with `@stream` for a large answer (up to MAX_STREAM_ROWS rows, in memory a few pages at a time; without @stream, MAX_QUERY_ROWS). Runs the query on its own: take the columns from the pages, not from `columns`.',
      args: { size: t.arg.int({ description: PAGE_SIZE_DESCRIPTION }) },
      resolve: (r, args, ctx, info) => {
        const bounds = pagesBounds(ctx, info, args.size);
        return streamed(
          ctx,
          info,
          ctx.domo.query.pages(r.datasetId, r.sql, { ...bounds, signal: ctx.signal }),
        );
      },
    }),
  }),
});

builder.objectField(DatasetRef, 'query', (t) =>
  t.field({
    type: QueryResultRef,
    description:
      'Runs SQL on this dataset. The table name is free (`SELECT * FROM table`); backticks quote names.',
    args: { sql: t.arg.string({ required: true, description: 'A SELECT statement.' }) },
    resolve: (d, args, ctx, info) => runSql(ctx, info, d.id, args.sql),
  }),
);

builder.queryField('sql', (t) =>
  t.field({
    type: QueryResultRef,
    description: 'Runs SQL on a dataset without reading its metadata first (one upstream call).',
    args: {
      datasetId: t.arg.id(DATASET_ID_ARG),
      sql: t.arg.string({ required: true, description: 'A SELECT statement.' }),
    },
    resolve: (_, args, ctx, info) =>
      runSql(ctx, info, datasetEntry(ctx, args.datasetId, 'datasetId'), args.sql),
  }),
);
