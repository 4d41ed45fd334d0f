/**
 * How column names become GraphQL names in typed roots, predictably:
 * 1. every character outside `A-Z a-z 0-9 _` becomes `_` (`unit price` → `unit_price`, `é` → `_`);
 * 2. a name starting with a digit gets a leading `_` (`2024 total` → `_2024_total`);
 * 3. a name starting with `__` (reserved by GraphQL) gets a leading `c` (`__id` → `c__id`);
 * 4. an empty name is `_`;
 * 5. a name already taken (by an earlier column in schema order, or by `and`, `or`, `not`) gets
 *    `_2`, `_3`, … appended.
 * Case is kept. Type names are the root field's name with its first letter capitalised.
 */
const RESERVED = new Set(['and', 'or', 'not']);

export function fieldNames(columns: readonly string[]): Map<string, string> {
  const taken = new Set<string>(RESERVED);
  const byColumn = new Map<string, string>();
  for (const column of columns) {
    let base = column.replace(/[^A-Za-z0-9_]/g, '_');
    if (base === '') base = '_';
    if (/^[0-9]/.test(base)) base = `_${base}`;
    if (base.startsWith('__')) base = `c${base}`;
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
    taken.add(name);
    byColumn.set(column, name);
  }
  return byColumn;
}

export const typeName = (root: string) => root.charAt(0).toUpperCase() + root.slice(1);
