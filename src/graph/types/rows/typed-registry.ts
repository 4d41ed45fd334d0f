/**
 * The schema served with typed roots: the pinned datasets' columns are read at startup and again on
 * each reload (an interval or SIGHUP, main.ts), and the schema rebuilt; yoga asks for the current
 * one on every request. A dataset whose schema cannot be read keeps the columns it had (or has no
 * typed root yet): a reload never takes the gateway down.
 */
import type { GraphQLSchema } from 'graphql';
import type { DomoClient } from '../../../domo/client.ts';
import { COLUMN_TYPES, type ColumnType, type RowColumn } from '../../../rows/values.ts';
import { buildTypedSchema, type TypedDataset } from './typed.ts';

export interface TypedDatasetSetting {
  name: string;
  datasetId: string;
}

/** The visible columns of a dataset with a type the compiler knows, from the indexed schema. */
export async function readColumns(client: DomoClient, datasetId: string): Promise<RowColumn[]> {
  const schema = await client.datasets.schema(datasetId, false);
  return schema.tables
    .flatMap((t) => t.columns)
    .filter((c) => (COLUMN_TYPES as readonly string[]).includes(c.type))
    .map((c) => ({ name: c.name, type: c.type as ColumnType }));
}

export class TypedSchemas {
  private schema: GraphQLSchema;
  private readonly columns = new Map<string, RowColumn[]>();

  constructor(
    private readonly base: GraphQLSchema,
    private readonly datasets: readonly TypedDatasetSetting[],
    private readonly read: (datasetId: string) => Promise<RowColumn[]>,
    private readonly onError: (dataset: TypedDatasetSetting, error: unknown) => void = () => {},
  ) {
    this.schema = base;
  }

  current(): GraphQLSchema {
    return this.schema;
  }

  /** Reads every pinned dataset's columns and rebuilds the schema; true when something changed. */
  async reload(): Promise<boolean> {
    let changed = false;
    await Promise.all(
      this.datasets.map(async (d) => {
        try {
          const columns = await this.read(d.datasetId);
          if (JSON.stringify(columns) !== JSON.stringify(this.columns.get(d.name))) changed = true;
          this.columns.set(d.name, columns);
        } catch (error) {
          this.onError(d, error);
        }
      }),
    );
    if (changed || this.schema === this.base) this.schema = buildTypedSchema(this.base, this.snapshot());
    return changed;
  }

  snapshot(): TypedDataset[] {
    return this.datasets.flatMap((d) => {
      const columns = this.columns.get(d.name);
      return columns ? [{ ...d, columns }] : [];
    });
  }
}
