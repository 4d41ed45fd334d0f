/** Users: `GET /api/content/v3/users/:id` over the demo users (src/sandbox/README.md, "Users"). */
import type { DomoUser } from '../../domo/types.ts';
import { notFound } from '../errors.ts';
import type { Router } from '../router.ts';
import { DEMO_USERS, SEED_EPOCH_MS } from '../seed.ts';

const TITLES = ['Head of Finance', 'Sales Operations Analyst', 'Data Engineer', 'Marketing Manager'];
const DEPARTMENTS = ['Finance', 'Sales', 'Engineering', 'Marketing'];

/** A demo user as Domo answers it, details included (`includeDetails=true`) or not. */
export function demoUser(index: number, includeDetails: boolean): DomoUser {
  const user = DEMO_USERS[index]!;
  const created = SEED_EPOCH_MS - (index + 1) * 30 * 86_400_000;
  return {
    id: Number(user.id),
    displayName: user.name,
    userName: user.email,
    emailAddress: user.email,
    roleId: index === 0 ? 1 : 2,
    created,
    modified: created,
    active: true,
    isSystemUser: false,
    ...(includeDetails
      ? {
          detail: {
            title: TITLES[index] ?? null,
            department: DEPARTMENTS[index] ?? null,
            phoneNumber: `+1 555 010 ${String(index + 1).padStart(4, '0')}`,
            employeeId: `E${1000 + index}`,
            lastActivity: SEED_EPOCH_MS + index * 3_600_000,
          },
        }
      : {}),
  };
}

export function userRoutes(router: Router): void {
  router.get('/api/content/v3/users/:id', (req) => {
    const index = DEMO_USERS.findIndex((u) => u.id === req.params.id);
    if (index < 0) throw notFound(`User ${req.params.id} not found`);
    return { body: demoUser(index, req.query.get('includeDetails') === 'true') };
  });
}
