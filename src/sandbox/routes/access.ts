/**
 * Cards on a dataset, its access list, sharing and removing people; the dataset-management
 * endpoints (create, alter schema, properties, tags, indexing) are in manage.ts and registered here.
 */
import {
  DOMO_ACCESS_LEVELS,
  DOMO_PRINCIPAL_TYPES,
  type DomoAccessEntry,
  type DomoAccessList,
  type DomoCard,
  type DomoPrincipal,
} from '../../domo/types.ts';
import { ACCESS_KIND, accessEntries, CARDS_KIND, type CardRecord, principalName } from '../access-state.ts';
import { badRequest } from '../errors.ts';
import type { Router } from '../router.ts';
import type { SandboxStore } from '../store.ts';
import { manageRoutes } from './manage.ts';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A `{id, type}` from a body, checked; `where` names it in the error. */
function principal(value: unknown, where: string): DomoPrincipal {
  if (!isObject(value)) throw badRequest(`${where} must be an object with id and type`);
  const { id, type } = value;
  if (typeof id !== 'string' && typeof id !== 'number') throw badRequest(`${where}.id is required`);
  if (!(DOMO_PRINCIPAL_TYPES as readonly unknown[]).includes(type)) {
    throw badRequest(`${where}.type must be one of ${DOMO_PRINCIPAL_TYPES.join(', ')}`);
  }
  return { id: String(id), type: type as DomoPrincipal['type'] };
}

const sameEntry = (a: { id: string; type: string }, b: { id: string; type: string }) =>
  a.id === b.id && a.type === b.type;

/** Removes principals from a dataset's access list; the owner cannot be removed, absent ones are ignored. */
async function removePrincipals(store: SandboxStore, datasetId: string, principals: DomoPrincipal[]) {
  const entries = accessEntries(store, datasetId);
  for (const p of principals) {
    if (entries.some((e) => sameEntry(e, p) && e.accessLevel === 'OWNER')) {
      throw badRequest(`${p.type} ${p.id} owns the dataset; its access cannot be removed`);
    }
  }
  const kept = entries.filter((e) => !principals.some((p) => sameEntry(e, p)));
  if (kept.length !== entries.length) await store.putDoc(ACCESS_KIND, datasetId, kept);
  return { body: {} };
}

export function accessRoutes(router: Router, store: SandboxStore, indexSettleMs = 0): void {
  router.get('/api/content/v1/datasources/:id/cards', (req) => {
    const id = req.params.id!;
    store.dataset(id);
    const drill = req.query.get('drill') !== 'false';
    const cards: DomoCard[] = (store.getDoc<CardRecord[]>(CARDS_KIND, id) ?? [])
      .filter((c) => drill || !c.drill)
      .map((c) => c.card);
    return { body: cards };
  });

  router.get('/api/data/v3/datasources/:id/permissions', (req) => {
    const id = req.params.id!;
    store.dataset(id);
    const list = accessEntries(store, id);
    const body: DomoAccessList = {
      list,
      totalUserCount: list.filter((e) => e.type === 'USER').length,
      totalGroupCount: list.filter((e) => e.type === 'GROUP').length,
    };
    return { body };
  });

  router.post('/api/data/v3/datasources/:id/share', async (req) => {
    const id = req.params.id!;
    store.dataset(id);
    const body = await req.json<unknown>();
    if (!isObject(body) || !Array.isArray(body.permissions) || body.permissions.length === 0) {
      throw badRequest('the body must carry a non-empty permissions list');
    }
    if (typeof body.sendEmail !== 'boolean') throw badRequest('sendEmail must be true or false');
    const entries = [...accessEntries(store, id)];
    const grants: DomoAccessEntry[] = body.permissions.map((value: unknown, i: number) => {
      const where = `permissions[${i}]`;
      const p = principal(value, where);
      const accessLevel = (value as Record<string, unknown>).accessLevel;
      if (!(DOMO_ACCESS_LEVELS as readonly unknown[]).includes(accessLevel)) {
        throw badRequest(`${where}.accessLevel must be one of ${DOMO_ACCESS_LEVELS.join(', ')}`);
      }
      const name = principalName(p.type, p.id);
      if (!name) throw badRequest(`${where}: no ${p.type} with id ${p.id}`);
      if (entries.some((e) => sameEntry(e, p) && e.accessLevel === 'OWNER') || accessLevel === 'OWNER') {
        throw badRequest(`${where}: ownership is not changed by sharing`);
      }
      return { ...p, accessLevel: accessLevel as string, name };
    });
    // Checked whole before any change, so a bad entry leaves the list as it was.
    for (const grant of grants) {
      const at = entries.findIndex((e) => sameEntry(e, grant));
      if (at >= 0) entries[at] = grant;
      else entries.push(grant);
    }
    await store.putDoc(ACCESS_KIND, id, entries);
    return { body: {} };
  });

  router.delete('/api/data/v3/datasources/:id/permissions/USER/:userId', async (req) => {
    store.dataset(req.params.id!);
    return removePrincipals(store, req.params.id!, [{ id: req.params.userId!, type: 'USER' }]);
  });

  router.delete('/api/data/v3/datasources/:id/USERS/:userId', async (req) => {
    store.dataset(req.params.id!);
    return removePrincipals(store, req.params.id!, [{ id: req.params.userId!, type: 'USER' }]);
  });

  router.delete('/api/data/v3/datasources/:id/users', async (req) => {
    const id = req.params.id!;
    store.dataset(id);
    const body = await req.json<unknown>();
    if (!Array.isArray(body) || body.length === 0) {
      throw badRequest('the body must be a non-empty JSON array of {id, type}');
    }
    return removePrincipals(
      store,
      id,
      body.map((value, i) => principal(value, `[${i}]`)),
    );
  });

  manageRoutes(router, store, indexSettleMs);
}
