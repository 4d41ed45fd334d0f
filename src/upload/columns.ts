/**
 * Column rules: which columns a file's rows must match, from the dataset's schema, the file's header,
 * the upload mode and DELETE's key columns. Header names are case-sensitive and in schema order.
 */
import type { DomoSchemaColumn } from '../domo/types.ts';
import type { UploadMode } from './args.ts';
import { type CsvColumn, CsvInputError } from './csv-text.ts';

/** Columns a file must match, from the schema, the header, the mode and the key columns. */
export function columnsResolver(
  schema: DomoSchemaColumn[],
  mode: UploadMode,
  keyColumns?: string[],
): (header: string[] | null, firstRowFields: number) => CsvColumn[] {
  const byName = new Map(schema.map((c) => [c.name, c]));
  const pick = (name: string, position: number): CsvColumn => {
    const column = byName.get(name);
    if (!column) {
      throw new CsvInputError(
        `line 1, column ${position + 1}: "${name}" is not a column of the dataset`,
        1,
        name,
      );
    }
    return { name: column.name, type: String(column.type) };
  };
  return (header, firstRowFields) => {
    if (mode === 'DELETE') {
      const names = header ?? keyColumns ?? schema.slice(0, firstRowFields).map((c) => c.name);
      const seen = new Set<string>();
      const columns = names.map((name, i) => {
        if (seen.has(name)) throw new CsvInputError(`line 1: column "${name}" appears twice`, 1, name);
        seen.add(name);
        return pick(name, i);
      });
      if (
        header &&
        keyColumns &&
        (header.length !== keyColumns.length || header.some((h, i) => h !== keyColumns[i]))
      ) {
        throw new CsvInputError(
          `line 1: a DELETE file holds only the key columns (${keyColumns.join(', ')}), found ${header.join(', ')}`,
          1,
        );
      }
      return columns;
    }
    if (header) {
      for (let i = 0; i < Math.max(header.length, schema.length); i++) {
        const expected = schema[i]?.name;
        const found = header[i];
        if (expected === found) continue;
        throw new CsvInputError(
          found === undefined
            ? `line 1: the header lacks column "${expected}" (column ${i + 1})`
            : expected === undefined
              ? `line 1, column ${i + 1}: "${found}" is not a column of the dataset`
              : `line 1, column ${i + 1}: the header names "${found}" where the dataset has "${expected}" (names are case-sensitive, in schema order)`,
          1,
          expected ?? found,
        );
      }
    }
    return schema.map((c) => ({ name: c.name, type: String(c.type) }));
  };
}
