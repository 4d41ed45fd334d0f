/** Cards on a dataset and its access list: the payloads the cards and permissions endpoints use. */

/** An owner of a card, as `GET /api/content/v1/datasources/:id/cards` lists it. */
export interface DomoCardOwner {
  id: string;
  type: string;
  displayName?: string;
}

/** `GET /api/content/v1/datasources/:id/cards?drill=`: one entry of the list. */
export interface DomoCard {
  /** A number in Domo's answer. */
  id: number | string;
  urn?: string;
  type?: string;
  chartType?: string;
  title?: string;
  ownerId?: number | string;
  owners?: DomoCardOwner[];
  access?: boolean;
  datasourceId?: string;
}

export const DOMO_PRINCIPAL_TYPES = ['USER', 'GROUP'] as const;
export type DomoPrincipalType = (typeof DOMO_PRINCIPAL_TYPES)[number];

/** Access levels seen in Domo's access list and share bodies (DOMO-NOTES.md). */
export const DOMO_ACCESS_LEVELS = ['OWNER', 'CO_OWNER', 'CAN_EDIT', 'CAN_SHARE', 'CAN_VIEW'] as const;
export type DomoAccessLevel = (typeof DOMO_ACCESS_LEVELS)[number];

/** One entry of `GET /api/data/v3/datasources/:id/permissions`. */
export interface DomoAccessEntry {
  type: DomoPrincipalType | string;
  id: string;
  accessLevel: DomoAccessLevel | string;
  name?: string;
}

/** `GET /api/data/v3/datasources/:id/permissions` */
export interface DomoAccessList {
  list: DomoAccessEntry[];
  totalUserCount?: number;
  totalGroupCount?: number;
}

/** A user or group, as the multi-user removal body names it. */
export interface DomoPrincipal {
  id: string;
  type: DomoPrincipalType;
}

/** `POST /api/data/v3/datasources/:id/share` */
export interface DomoShareRequest {
  permissions: Array<DomoPrincipal & { accessLevel: DomoAccessLevel }>;
  sendEmail: boolean;
}
