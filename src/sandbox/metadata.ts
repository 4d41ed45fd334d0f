/** Dataset metadata as Domo answers it, with the fields every sandbox dataset shares. */
import type { DomoDataSource } from '../domo/types.ts';

export interface NewDatasetMetadata {
  id: string;
  name: string;
  description?: string;
  /** Data provider key: `api`, `webform`, a connector key. */
  provider: string;
  owner: { id: string; name: string };
  /** Epoch milliseconds; also the first lastTouched/lastUpdated. */
  created: number;
  transportType: string;
  tags?: string[];
  streamId?: number;
  scheduleActive?: boolean;
  columnCount?: number;
}

export function datasetMetadata(fields: NewDatasetMetadata): DomoDataSource {
  return {
    id: fields.id,
    displayType: fields.provider,
    dataProviderType: fields.provider,
    type: fields.provider,
    name: fields.name,
    ...(fields.description !== undefined ? { description: fields.description } : {}),
    owner: { id: fields.owner.id, name: fields.owner.name, type: 'USER', group: false },
    status: 'SUCCESS',
    created: fields.created,
    lastTouched: fields.created,
    lastUpdated: fields.created,
    rowCount: 0,
    columnCount: fields.columnCount ?? 0,
    cardInfo: { cardCount: 0, cardViewCount: 0 },
    properties: { formulas: { formulas: {} } },
    state: 'SUCCESS',
    validConfiguration: true,
    validAccount: true,
    ...(fields.streamId !== undefined ? { streamId: fields.streamId } : {}),
    transportType: fields.transportType,
    adc: false,
    adcExternal: false,
    adcSource: 'DIRECT',
    masked: false,
    currentUserFullAccess: true,
    cloudId: 'domo',
    cloudName: 'Domo',
    permissions: 'READ_WRITE_DELETE_SHARE_ADMIN',
    hidden: false,
    tags: JSON.stringify(fields.tags ?? []),
    scheduleActive: fields.scheduleActive ?? true,
    cardCount: 0,
    cloudEngine: 'domo',
  };
}
