/** Columns and Domo's column types. */
import { DOMO_COLUMN_TYPES, type DomoColumnType, type DomoSchemaColumn } from '../../domo/types.ts';
import { builder } from '../builder.ts';
import { knownOrUnknown, withUnknown } from './enums.ts';

export const ColumnTypeRef = builder.enumType('ColumnType', {
  description: "Domo's column types.",
  values: withUnknown(DOMO_COLUMN_TYPES, (type) => `${type} column.`),
});

export interface Column {
  name: string;
  id: string | null;
  type: DomoColumnType | 'UNKNOWN' | null;
  typeName: string;
  visible: boolean | null;
  order: number | null;
}

/** A column type Domo reported: itself when known, UNKNOWN when not (typeName keeps it), null when absent. */
export const asColumnType = (type: string | null | undefined) => knownOrUnknown(type, DOMO_COLUMN_TYPES);

export function toColumn(column: DomoSchemaColumn): Column {
  return {
    name: column.name,
    id: column.id ?? null,
    type: asColumnType(column.type),
    typeName: String(column.type),
    visible: column.visible ?? null,
    order: column.order ?? null,
  };
}

export const ColumnRef = builder.objectRef<Column>('Column').implement({
  description: 'A column of a dataset.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Column name, as used in SQL.' }),
    id: t.exposeString('id', { nullable: true, description: 'Column id.' }),
    type: t.field({
      type: ColumnTypeRef,
      nullable: true,
      description: 'Domo type; UNKNOWN when Domo reports a type outside ColumnType (see typeName).',
      resolve: (c) => c.type,
    }),
    typeName: t.exposeString('typeName', { description: 'The type exactly as Domo reports it.' }),
    visible: t.exposeBoolean('visible', { nullable: true, description: 'Visible (not hidden).' }),
    order: t.exposeInt('order', { nullable: true, description: 'Position in the schema.' }),
  }),
});
