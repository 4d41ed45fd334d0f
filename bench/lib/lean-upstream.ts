/**
 * A fast Domo edge for bench/overhead.ts: a bare node:http server answering
 * `GET /api/data/v3/datasources/:id` with the metadata JSON of domo-dataset-api.md ("Get DataSet
 * Metadata"), serialised once at start and sent from memory. It spends far less CPU per answer than
 * the sandbox (no DuckDB, no routing), so the gateway's ratio against it is the honest one.
 *
 *   LEAN_UPSTREAM_TOKEN=bench-token tsx bench/lib/lean-upstream.ts   → "listening on http://…"
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const token = process.env.LEAN_UPSTREAM_TOKEN ?? 'bench-token';
const PREFIX = '/api/data/v3/datasources/';
const metadata = (id: string) =>
  Buffer.from(
    JSON.stringify({
      id,
      displayType: 'webform',
      dataProviderType: 'webform',
      type: 'webform',
      name: 'Sales Transactions',
      owner: { id: '1', name: 'Bench Owner', type: 'USER', group: false },
      status: 'SUCCESS',
      created: 1231234124,
      lastTouched: 1231421312,
      lastUpdated: 12341234412,
      rowCount: 1000,
      columnCount: 3,
      cardInfo: { cardCount: 3, cardViewCount: 0 },
      properties: { formulas: { formulas: {} } },
      state: 'SUCCESS',
      validConfiguration: true,
      validAccount: true,
      streamId: 25222,
      transportType: 'WEBFORM',
      adc: true,
      adcExternal: false,
      adcSource: 'DIRECT',
      masked: false,
      currentUserFullAccess: true,
      cloudId: 'domo',
      cloudName: 'Domo',
      permissions: 'READ_WRITE_DELETE_SHARE_ADMIN',
      hidden: false,
      scheduleActive: true,
      cardCount: 3,
      cloudEngine: 'domo',
    }),
  );
const answers = new Map<string, Buffer>();
const me = Buffer.from(JSON.stringify({ id: 1, displayName: 'Bench Owner' }));

const server = createServer((req, res) => {
  if (req.headers['x-domo-developer-token'] !== token) {
    res.writeHead(401, { 'content-type': 'application/json' });
    return res.end('{"status":401,"message":"Unauthorized"}');
  }
  const url = req.url ?? '/';
  let body: Buffer | undefined;
  if (req.method === 'GET' && url.startsWith(PREFIX)) {
    const id = url.slice(PREFIX.length).split('?')[0]!;
    if (!id.includes('/')) {
      body = answers.get(id);
      if (!body) {
        body = metadata(id);
        answers.set(id, body);
      }
    }
  } else if (url === '/api/content/v2/users/me') body = me;
  if (!body) {
    res.writeHead(404, { 'content-type': 'application/json' });
    return res.end('{"status":404,"message":"Not Found"}');
  }
  res.writeHead(200, { 'content-type': 'application/json;charset=UTF-8', 'content-length': body.byteLength });
  res.end(body);
});
server.keepAliveTimeout = 30_000;
server.listen(Number(process.env.LEAN_UPSTREAM_PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
