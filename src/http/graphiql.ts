/**
 * GraphiQL as a small page and separate static assets. @graphql-yoga/render-graphiql inlines its
 * whole bundle (script, styles, three Monaco workers, favicon: 9 MB) into every page it renders,
 * uncompressed and uncacheable. Here the page (a few kB) links to the same pieces as assets:
 * content-hashed URLs under /graphiql/, `Cache-Control: immutable` for a year, a strong ETag per
 * encoding (304 on If-None-Match), and each one compressed once (brotli or gzip, by
 * Accept-Encoding), on its first request, then kept.
 *
 * No inline script: the options travel in a JSON data block and the page's CSP allows scripts,
 * workers and requests from this origin only.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Logger } from '../log.ts';

export const GRAPHIQL_ASSET_PREFIX = '/graphiql/';

/** One tab GraphiQL opens with (GraphiQL's `defaultTabs`). */
export interface GraphiQLTab {
  query: string;
  variables?: string;
  headers?: string;
}

/** What yoga passes to renderGraphiQL (its GraphiQLOptions); sent to GraphiQL as they are. */
export interface GraphiQLPageOptions {
  title?: string;
}

type Encoding = 'br' | 'gzip' | 'identity';

interface Asset {
  type: string;
  body: Buffer;
  /** Of the uncompressed content: the URL and every ETag carry it. */
  hash: string;
  encoded: Partial<Record<Exclude<Encoding, 'identity'>, Promise<Buffer>>>;
}

interface Bundle {
  /** Asset file name (with its hash) → asset. */
  assets: Map<string, Asset>;
  urls: { js: string; css: string; favicon: string; setup: string; start: string };
}

const YEAR_SECONDS = 31_536_000;
const compressBrotli = promisify(brotliCompress);
const compressGzip = promisify(gzip);

/**
 * The page's Content-Security-Policy. Styles: GraphiQL and Monaco set inline styles. Images: the
 * icons GraphiQL draws as data: URLs.
 */
export const GRAPHIQL_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "worker-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

function asset(name: string, type: string, content: string | Buffer): [string, Asset] {
  const body = typeof content === 'string' ? Buffer.from(content) : content;
  const hash = createHash('sha256').update(body).digest('base64url').slice(0, 16);
  const dot = name.lastIndexOf('.');
  return [`${name.slice(0, dot)}.${hash}${name.slice(dot)}`, { type, body, hash, encoded: {} }];
}

async function loadBundle(): Promise<Bundle> {
  const parts = await import('@graphql-yoga/render-graphiql/graphiql');
  const js = 'text/javascript; charset=utf-8';
  const workers = {
    editorWorkerService: asset('editor.worker.js', js, parts.editorWorkerService),
    json: asset('json.worker.js', js, parts.jsonWorker),
    graphql: asset('graphql.worker.js', js, parts.graphqlWorker),
  };
  const url = ([name]: [string, Asset]) => GRAPHIQL_ASSET_PREFIX + name;
  const workerUrls = Object.fromEntries(Object.entries(workers).map(([label, entry]) => [label, url(entry)]));
  // The favicon comes as a data: URL; served as a file it is cached like the rest.
  const icon = /^data:([^;,]+);base64,(.*)$/s.exec(parts.favicon);
  const entries = {
    js: asset('graphiql.js', js, parts.js),
    css: asset('graphiql.css', 'text/css; charset=utf-8', parts.css),
    favicon: icon
      ? asset('favicon.ico', icon[1]!, Buffer.from(icon[2]!, 'base64'))
      : asset('favicon.ico', 'image/x-icon', Buffer.alloc(0)),
    // Before the bundle, as the inline page had it: Monaco asks for its workers by label.
    setup: asset(
      'setup.js',
      js,
      `self.MonacoEnvironment = { globalAPI: false, getWorkerUrl: (_id, label) => (${JSON.stringify(workerUrls)})[label] };\n`,
    ),
    start: asset(
      'start.js',
      js,
      "YogaGraphiQL.renderYogaGraphiQL(document.querySelector('#root'), JSON.parse(document.getElementById('graphiql-options').textContent));\n",
    ),
  };
  const assets = new Map([...Object.values(workers), ...Object.values(entries)]);
  return {
    assets,
    urls: {
      js: url(entries.js),
      css: url(entries.css),
      favicon: url(entries.favicon),
      setup: url(entries.setup),
      start: url(entries.start),
    },
  };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** JSON inside a <script> block: `<` escaped, so no `</script>` in a query can end it. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

/** The encoding to send: brotli, else gzip, else none; `q=0` refuses one. */
export function chooseEncoding(acceptEncoding: string | undefined): Encoding {
  const accepted = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find(Boolean);
    accepted.set(name, q === undefined ? 1 : Number(q));
  }
  const ok = (name: string) => (accepted.get(name) ?? (accepted.has('*') ? accepted.get('*')! : 0)) > 0;
  if (ok('br')) return 'br';
  if (ok('gzip')) return 'gzip';
  return 'identity';
}

function encoded(entry: Asset, encoding: Encoding): Promise<Buffer> {
  if (encoding === 'identity') return Promise.resolve(entry.body);
  // Once per asset and encoding, off the main thread (zlib's thread pool). Brotli at quality 9:
  // 11 takes ~25 s of CPU for the 5 MB script here, for 9% less.
  entry.encoded[encoding] ??=
    encoding === 'br'
      ? compressBrotli(entry.body, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: 9,
            [constants.BROTLI_PARAM_SIZE_HINT]: entry.body.length,
          },
        })
      : compressGzip(entry.body, { level: 9 });
  return entry.encoded[encoding];
}

/** Whether an If-None-Match header names this ETag (weak comparison, as RFC 9110 says for it). */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

export interface GraphiQL {
  /** The page yoga serves on GET /graphql with Accept: text/html (its renderGraphiQL). */
  render(options: GraphiQLPageOptions): Promise<string>;
  /** Answers a request for an asset; false when the path is not one (the caller routes it on). */
  serve(req: IncomingMessage, res: ServerResponse, path: string): boolean;
}

export function createGraphiQL(logger: Logger): GraphiQL {
  // Read on the first GraphiQL request, not at startup: the bundle is 9 MB of strings.
  let bundle: Promise<Bundle> | undefined;
  const load = () => {
    bundle ??= loadBundle();
    return bundle;
  };

  return {
    async render(options) {
      const { urls } = await load();
      const title = escapeHtml(options.title ?? 'GraphiQL');
      return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta http-equiv="Content-Security-Policy" content="${GRAPHIQL_CSP}" />
    <title>${title}</title>
    <link rel="icon" href="${urls.favicon}" />
    <link rel="stylesheet" href="${urls.css}" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>You need to enable JavaScript to run this app.</noscript>
    <div id="root"></div>
    <script id="graphiql-options" type="application/json">${scriptJson(options)}</script>
    <script src="${urls.setup}"></script>
    <script src="${urls.js}"></script>
    <script src="${urls.start}"></script>
  </body>
</html>
`;
    },

    serve(req, res, path) {
      if (!path.startsWith(GRAPHIQL_ASSET_PREFIX)) return false;
      const name = path.slice(GRAPHIQL_ASSET_PREFIX.length);
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD', 'content-length': 0 }).end();
        return true;
      }
      void load().then(
        async ({ assets }) => {
          const entry = assets.get(name);
          if (!entry) {
            // Another version's hash, or no asset: never cached, so an upgrade heals on reload.
            res
              .writeHead(404, { 'content-type': 'text/plain', 'cache-control': 'no-store' })
              .end('not found');
            return;
          }
          const encoding = chooseEncoding(req.headers['accept-encoding'] as string | undefined);
          // A strong ETag names one representation: each encoding has its own.
          const etag = `"${entry.hash}${encoding === 'identity' ? '' : `-${encoding}`}"`;
          const headers: Record<string, string | number> = {
            etag,
            'cache-control': `public, max-age=${YEAR_SECONDS}, immutable`,
            vary: 'Accept-Encoding',
            'x-content-type-options': 'nosniff',
          };
          if (matches(req.headers['if-none-match'], etag)) {
            res.writeHead(304, headers).end();
            return;
          }
          const body = await encoded(entry, encoding);
          res.writeHead(200, {
            ...headers,
            'content-type': entry.type,
            'content-length': body.length,
            ...(encoding === 'identity' ? {} : { 'content-encoding': encoding }),
          });
          res.end(req.method === 'HEAD' ? undefined : body);
        },
        (error: unknown) => {
          logger.error('GraphiQL asset not served', { error });
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
          res.end('GraphiQL is not available');
        },
      );
      return true;
    },
  };
}
