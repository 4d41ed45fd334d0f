/**
 * Uploads that stream, in front of yoga. graphql-yoga buffers multipart files in memory
 * (https://github.com/dotansimha/graphql-yoga/issues/4409), so:
 * - `PUT /v1/datasets/:id/upload?mode=append` takes the CSV as the raw body (`curl --data-binary`);
 * - multipart POSTs to /graphql (GraphQL multipart request spec) are parsed here with busboy, a
 *   streaming parser: `operations` and `map` are read, the file part is handed to the resolver as a
 *   stream (its variable carries a marker), and the operation runs through yoga as JSON.
 * Either way memory stays at about (parts in flight + 1) × part size, whatever the file's size.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import type { YogaServerInstance } from 'graphql-yoga';
import type { AuthError } from '../auth/errors.ts';
import type { Credentials } from '../domo/auth.ts';
import { credentialsFromHeaders } from '../domo/auth.ts';
import { createDomoClient } from '../domo/client.ts';
import type { DomoHttp } from '../domo/http.ts';
import { datasetIdMessage, isDatasetId } from '../domo/ids.ts';
import { failure } from '../errors/codes.ts';
import { redactDeep, redactText } from '../errors/redact.ts';
import { type GraphContext, STREAMED_UPLOAD_KEY } from '../graph/context.ts';
import type { Logger } from '../log.ts';
import { UploadArgumentError, type UploadPolicy, uploadCsv } from '../upload/index.ts';
import { errorBody, refusal, sendJson } from './upload-errors.ts';
import { type PutUploadOptions, putUploadOptions } from './upload-options.ts';

export interface UploadHttpDeps {
  http: DomoHttp;
  logger: Logger;
  serverCredentials: Credentials | null;
  maxConcurrency: number;
  /** Part retries and commit checks, from config (default DEFAULT_UPLOAD_POLICY). */
  policy?: UploadPolicy;
  yoga: YogaServerInstance<Record<string, unknown>, GraphContext>;
  /** Aborted when the server shuts down: every running upload stops uncommitted. */
  shutdown: AbortSignal;
  /**
   * Gateway authorization at the route's entry, before the body is read (src/auth): a refusal, or
   * undefined to go on. datasetId: the PUT route's, null for a multipart request.
   */
  authorize?: (req: IncomingMessage, datasetId: string | null) => Promise<AuthError | undefined>;
}

const UPLOAD_PATH = /^\/v1\/datasets\/([^/]+)\/upload\/?$/;

/** Aborts when the caller goes away before its answer, or the server shuts down. */
function requestSignal(req: IncomingMessage, res: ServerResponse, shutdown: AbortSignal): AbortSignal {
  const controller = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) controller.abort(new Error('the caller disconnected'));
  };
  res.once('close', onClose);
  req.once('aborted', onClose);
  return AbortSignal.any([controller.signal, shutdown]);
}

/** The Domo credentials of a request: with gateway authentication on, Authorization is the gateway's. */
function callerCredentials(req: IncomingMessage, deps: UploadHttpDeps): Credentials | null {
  return (
    credentialsFromHeaders({ get: (name) => headerValue(req, name) }, { authorization: !deps.authorize }) ??
    deps.serverCredentials
  );
}

/** `PUT /v1/datasets/:id/upload?mode&dataTag&restateDataTag&header&index&message&partSizeKB&keyColumns` */
async function handlePut(req: IncomingMessage, res: ServerResponse, rawId: string, deps: UploadHttpDeps) {
  const url = new URL(req.url ?? '/', 'http://gateway');
  let options: PutUploadOptions;
  let datasetId: string;
  try {
    datasetId = decodeURIComponent(rawId);
    if (!isDatasetId(datasetId)) throw new RangeError(datasetIdMessage('the dataset id', datasetId));
    options = putUploadOptions(url.searchParams);
  } catch (error) {
    // As GraphQL names it: the argument in `field`.
    const { status, body } = refusal('bad_input', (error as Error).message);
    if (error instanceof UploadArgumentError) (body.error as Record<string, unknown>).field = error.field;
    sendJson(res, status, redactDeep(body), true);
    req.resume();
    return;
  }
  const credentials = callerCredentials(req, deps);
  const signal = requestSignal(req, res, deps.shutdown);
  const domo = createDomoClient(deps.http, { credentials, signal, maxConcurrency: deps.maxConcurrency });
  try {
    const result = await uploadCsv(domo, datasetId, req, { ...options, policy: deps.policy, signal });
    sendJson(res, 200, { datasetId, mode: options.mode, ...result });
  } catch (error) {
    const { status, body } = errorBody(error, credentials);
    if (status >= 500) deps.logger.warn('upload failed', { datasetId, error: body.error });
    sendJson(res, status, body, !req.complete);
    if (!req.complete) req.resume();
  }
}

function headerValue(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): boolean {
  const keys = path.split('.');
  let node: unknown = target;
  for (const key of keys.slice(0, -1)) {
    if (!node || typeof node !== 'object') return false;
    node = (node as Record<string, unknown>)[key];
  }
  if (!node || typeof node !== 'object') return false;
  (node as Record<string, unknown>)[keys[keys.length - 1]!] = value;
  return true;
}

/** A multipart GraphQL request, its file streamed to the resolver, the operation run by yoga. */
function handleMultipart(req: IncomingMessage, res: ServerResponse, deps: UploadHttpDeps) {
  const fail = (status: number, message: string) => {
    const { code } = failure('bad_input');
    sendJson(res, status, { errors: [{ message: redactText(message), extensions: { code } }] }, true);
    req.unpipe();
    req.resume();
  };
  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: req.headers, limits: { files: 1, fields: 8, fieldSize: 1024 * 1024 } });
  } catch (error) {
    fail(400, `not a multipart request: ${(error as Error).message}`);
    return;
  }
  let operations: Record<string, unknown> | undefined;
  let map: Record<string, string[]> | undefined;
  let started = false;
  const files = new Map<string, AsyncIterable<Uint8Array>>();
  const signal = requestSignal(req, res, deps.shutdown);

  const execute = async () => {
    started = true;
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || name === 'content-type' || name === 'content-length') continue;
      if (name === 'transfer-encoding' || name === 'connection' || name === 'host') continue;
      headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    headers.set('content-type', 'application/json');
    const request = new Request(new URL(req.url ?? '/graphql', 'http://gateway'), {
      method: 'POST',
      headers,
      body: JSON.stringify(operations),
      signal,
    });
    try {
      const response = await deps.yoga.handleRequest(request, { streamedFiles: files, uploadSignal: signal });
      const unread = !req.complete;
      const head: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        head[name] = value;
      });
      if (unread) head.connection = 'close';
      // A mutation's answer is one small JSON document: read it whole.
      const body = Buffer.from(await response.arrayBuffer());
      if (res.destroyed) return;
      res.writeHead(response.status, head);
      res.end(body);
      // The resolver may have stopped early (bad data): drop the rest of the body.
      if (unread) {
        req.unpipe(parser);
        req.resume();
      }
    } catch (error) {
      deps.logger.error('multipart upload failed', { error });
      const { code, httpStatus } = failure('internal');
      sendJson(res, httpStatus, { errors: [{ message: 'Unexpected error.', extensions: { code } }] }, true);
    }
  };

  parser.on('field', (name, value) => {
    try {
      if (name === 'operations') operations = JSON.parse(value) as Record<string, unknown>;
      else if (name === 'map') map = JSON.parse(value) as Record<string, string[]>;
    } catch {
      fail(400, `the ${name} field is not valid JSON`);
    }
  });
  parser.on('file', (name, stream) => {
    if (started) {
      stream.resume();
      return;
    }
    if (!operations || !map || Array.isArray(operations)) {
      stream.resume();
      fail(
        400,
        'operations (one operation, not a batch) and map must come before the file (GraphQL multipart request spec)',
      );
      return;
    }
    const paths = map[name];
    if (!Array.isArray(paths) || paths.length !== 1) {
      stream.resume();
      fail(400, `map must name exactly one variable for the file "${name}"`);
      return;
    }
    const id = randomUUID();
    if (!setPath(operations, paths[0]!, { [STREAMED_UPLOAD_KEY]: id })) {
      stream.resume();
      fail(400, `map names ${paths[0]}, which is not in operations`);
      return;
    }
    files.set(id, stream);
    void execute();
  });
  parser.on('close', () => {
    if (!started && !res.headersSent) {
      if (!operations) fail(400, 'the multipart request has no operations field');
      else void execute();
    }
  });
  parser.on('error', (error: Error) => {
    // A truncated body (the caller went away): the file stream errors, the upload stops uncommitted.
    for (const file of files.values()) (file as Readable).destroy(error);
    if (!started) fail(400, `malformed multipart body: ${error.message}`);
  });
  req.pipe(parser);
}

/**
 * Takes the requests it streams; answers false for the rest (yoga handles them).
 */
export function createUploadHandler(deps: UploadHttpDeps) {
  /** Runs `next` once gateway authorization allows the request; answers its refusal otherwise. */
  const authorized = (
    req: IncomingMessage,
    res: ServerResponse,
    datasetId: string | null,
    next: () => void,
  ) => {
    if (!deps.authorize) return next();
    deps.authorize(req, datasetId).then(
      (refusal) => {
        if (!refusal) return next();
        const error = { code: refusal.code, message: refusal.message };
        if (!res.headersSent)
          for (const [name, value] of Object.entries(refusal.headers)) res.setHeader(name, value);
        sendJson(
          res,
          refusal.httpStatus,
          datasetId === null
            ? { errors: [{ message: error.message, extensions: { code: error.code } }] }
            : { error },
          true,
        );
        req.resume();
      },
      (error: unknown) => {
        const { status, body } = errorBody(error, callerCredentials(req, deps));
        sendJson(res, status, body, true);
        req.resume();
      },
    );
  };
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const path = (req.url ?? '/').split('?')[0]!;
    const put = UPLOAD_PATH.exec(path);
    if (put) {
      if (req.method !== 'PUT') {
        const { status, body } = refusal('method_not_allowed', 'use PUT with the CSV as the body');
        res.writeHead(status, { allow: 'PUT', 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
        return true;
      }
      let datasetId: string;
      try {
        datasetId = decodeURIComponent(put[1]!);
      } catch {
        datasetId = put[1]!;
      }
      authorized(req, res, datasetId, () => void handlePut(req, res, put[1]!, deps));
      return true;
    }
    const type = req.headers['content-type'] ?? '';
    if (req.method === 'POST' && path === '/graphql' && /^multipart\/form-data/i.test(type)) {
      authorized(req, res, null, () => handleMultipart(req, res, deps));
      return true;
    }
    return false;
  };
}
