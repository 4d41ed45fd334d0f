/**
 * Multipart uploads as domo-dataset-api.md has them: start (`POST …/uploads`), parts (`PUT
 * …/uploads/:uploadId/parts/:part`, text/csv, kept on disk in a temp dir per upload, never in
 * memory) and commit (`PUT …/uploads/:uploadId/commit`), which applies every part atomically in
 * one DuckDB transaction and records a data version (and a partition for a tag).
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type {
  DomoDataVersion,
  DomoUploadCommitRequest,
  DomoUploadStartRequest,
  DomoUploadStartResponse,
} from '../../domo/types.ts';
import { badRequest, notFound } from '../errors.ts';
import type { Router } from '../router.ts';
import type { SandboxStore } from '../store.ts';
import { applyUpload, type Mode } from '../upload-apply.ts';
import {
  nextVersionId,
  PARTITION_KIND,
  partitionKey,
  partitionsOf,
  partitionTableName,
  type StoredPartition,
  VERSION_KIND,
  versionDocId,
} from '../versions.ts';

export { KEY_PROPERTY, keyColumnsOf } from '../upload-apply.ts';

interface UploadSession {
  uploadId: number;
  datasetId: string;
  appendId: string | null;
  action: string | null;
  dataTag: string | null;
  dir: string;
  /** Part number → bytes on disk. */
  parts: Map<number, number>;
  state: 'open' | 'committing' | 'committed';
  requestedAsOf: number;
}

const MAX_PART = 10_000;
const APPEND_IDS = new Set(['replace', 'append', 'upsert', 'delete', 'latest']);

export interface UploadRoutes {
  /** Removes the parts of uploads never committed (called when the sandbox closes). */
  cleanup(): Promise<void>;
}

export function uploadRoutes(router: Router, store: SandboxStore): UploadRoutes {
  const sessions = new Map<number, UploadSession>();
  let nextId = store.getDoc<{ next: number }>('uploadSequence', 'next')?.next ?? 1;

  const session = (datasetId: string, raw: string): UploadSession => {
    store.dataset(datasetId);
    const upload = /^\d+$/.test(raw) ? sessions.get(Number(raw)) : undefined;
    if (!upload || upload.datasetId !== datasetId)
      throw notFound(`Upload ${raw} not found for DataSource ${datasetId}`);
    return upload;
  };

  router.post('/api/data/v3/datasources/:id/uploads', async (req) => {
    const datasetId = req.params.id!;
    store.dataset(datasetId);
    const body = (await req.json<DomoUploadStartRequest & Record<string, unknown>>()) ?? {};
    if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('the body must be a JSON object');
    const appendId = body.appendId ?? null;
    if (appendId !== null && (typeof appendId !== 'string' || !APPEND_IDS.has(appendId))) {
      throw badRequest('appendId must be one of replace, append, upsert, delete');
    }
    const action = body.action ?? null;
    if (action !== null && action !== 'APPEND' && action !== 'REPLACE') {
      throw badRequest('action must be APPEND or REPLACE');
    }
    const dataTag = req.query.get('dataTag') || req.query.get('restateDataTag') || null;
    const uploadId = nextId++;
    await store.putDoc('uploadSequence', 'next', { next: nextId });
    // Inside the one directory DuckDB may read (store.fileRoot), so read_csv works with external access off.
    const dir = await mkdtemp(join(store.fileRoot, `upload-${uploadId}-`));
    const requestedAsOf = Date.now();
    sessions.set(uploadId, {
      uploadId,
      datasetId,
      appendId,
      action,
      dataTag,
      dir,
      parts: new Map(),
      state: 'open',
      requestedAsOf,
    });
    const answer: DomoUploadStartResponse = { dataSourceId: datasetId, uploadId, requestedAsOf };
    return { body: answer };
  });

  router.put('/api/data/v3/datasources/:id/uploads/:uploadId/parts/:part', async (req) => {
    const upload = session(req.params.id!, req.params.uploadId!);
    const raw = req.params.part!;
    if (!/^[1-9]\d*$/.test(raw) || Number(raw) > MAX_PART) {
      throw badRequest(`part must be a whole number from 1 to ${MAX_PART}`);
    }
    if (upload.state !== 'open') throw badRequest(`Upload ${upload.uploadId} is already committed`);
    const part = Number(raw);
    const file = join(upload.dir, `part-${part}.csv`);
    // Written beside, then renamed: a re-sent part replaces the old one whole, never half.
    const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await pipeline(req.raw, createWriteStream(temp));
      await rename(temp, file);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    upload.parts.set(part, (await stat(file)).size);
    return { status: 200 };
  });

  router.put('/api/data/v3/datasources/:id/uploads/:uploadId/commit', async (req) => {
    const upload = session(req.params.id!, req.params.uploadId!);
    const body = (await req.json<Partial<DomoUploadCommitRequest> & Record<string, unknown>>()) ?? {};
    if (
      body.action !== undefined &&
      body.action !== null &&
      body.action !== 'APPEND' &&
      body.action !== 'REPLACE'
    ) {
      throw badRequest('action must be APPEND or REPLACE');
    }
    if (upload.state !== 'open') throw badRequest(`Upload ${upload.uploadId} is already committed`);
    const numbers = [...upload.parts.keys()].sort((a, b) => a - b);
    if (numbers.length === 0) throw badRequest(`Upload ${upload.uploadId} has no parts to commit`);
    if (numbers.some((n, i) => n !== i + 1)) throw badRequest('Too many non-consecutive part ids');

    const mode: Mode =
      upload.appendId === 'upsert'
        ? 'UPSERT'
        : upload.appendId === 'delete'
          ? 'DELETE'
          : ((body.action as Mode | undefined) ??
            (upload.appendId === 'replace' ? 'REPLACE' : upload.action === 'REPLACE' ? 'REPLACE' : 'APPEND'));
    const tag =
      (typeof body.dataTag === 'string' && body.dataTag) ||
      (typeof body.restateDataTag === 'string' && body.restateDataTag) ||
      upload.dataTag;
    upload.state = 'committing';
    const started = Date.now();
    const files = numbers.map((n) => join(upload.dir, `part-${n}.csv`));
    const sizeBytes = [...upload.parts.values()].reduce((a, b) => a + b, 0);
    let rowCount: number;
    try {
      rowCount = await applyUpload(store, upload.datasetId, files, mode, tag || null);
    } catch (error) {
      upload.state = 'open';
      throw error;
    }
    upload.state = 'committed';
    await rm(upload.dir, { recursive: true, force: true });
    sessions.delete(upload.uploadId);

    const now = Date.now();
    const dataVersionId = nextVersionId(store, upload.datasetId);
    const version: DomoDataVersion = {
      dataSourceId: upload.datasetId,
      schemaId: 1,
      dataVersionId,
      status: 'SUCCESS',
      statusMessage: typeof body.message === 'string' ? body.message : null,
      datetimeRecorded: started,
      datetimeUploadCompleted: now,
      runDurationSeconds: Math.round((now - upload.requestedAsOf) / 1000),
      sizeBytes,
      rowCount,
    };
    await store.putDoc(VERSION_KIND, versionDocId(upload.datasetId, dataVersionId), version);
    if (tag && (mode === 'APPEND' || mode === 'REPLACE')) {
      const key = partitionKey(upload.datasetId, tag);
      const before = store.getDoc<StoredPartition>(PARTITION_KIND, key);
      const partition: StoredPartition = {
        partitionId: tag,
        dataVersionId,
        rowCount:
          mode === 'APPEND' && before?.status !== 'DELETED' ? (before?.rowCount ?? 0) + rowCount : rowCount,
        sizeBytes,
        dateCompleted: now,
        createdDate: before?.createdDate ?? now,
        status: 'ACTIVE',
        dataSourceId: upload.datasetId,
        table: partitionTableName(upload.datasetId, tag),
      };
      await store.putDoc(PARTITION_KIND, key, partition);
    }
    if (mode === 'REPLACE' && !tag) {
      for (const p of partitionsOf(store, upload.datasetId)) {
        await store.deleteDoc(PARTITION_KIND, partitionKey(upload.datasetId, p.partitionId));
      }
    }
    await store.refreshCounts(upload.datasetId, now);
    return {
      body: {
        dataSourceId: upload.datasetId,
        uploadId: upload.uploadId,
        dataVersionId,
        status: 'SUCCESS',
        action: mode,
        rowCount,
        ...(tag ? { dataTag: tag } : {}),
        index: body.index !== false && String(body.index) !== 'false',
      },
    };
  });

  return {
    async cleanup() {
      await Promise.all([...sessions.values()].map((s) => rm(s.dir, { recursive: true, force: true })));
      sessions.clear();
    },
  };
}
