/** Data versions and partitions: lists, the MAGIC version list, and deleting a version or a tag. */
import type { Call } from './call.ts';
import { unexpectedShape } from './call.ts';
import { apiPath, type DomoRequest } from './http.ts';
import type {
  DomoDataVersion,
  DomoDataVersionHydrateRequest,
  DomoPartition,
  DomoPartitionListRequest,
} from './types.ts';

/** A list answer as a JSON array, or wrapped in an object under one of the given keys. */
function listOf<T>(body: unknown, request: DomoRequest, keys: string[]): T[] {
  if (Array.isArray(body)) return body as T[];
  if (body && typeof body === 'object') {
    for (const key of keys) {
      const value = (body as Record<string, unknown>)[key];
      if (Array.isArray(value)) return value as T[];
    }
  }
  throw unexpectedShape(request, 'not a list');
}

export class VersionsApi {
  constructor(private readonly call: Call) {}

  /** `GET /api/data/v3/datasources/:id/dataversions/details` */
  async dataVersions(datasetId: string): Promise<DomoDataVersion[]> {
    const request: DomoRequest = {
      method: 'GET',
      path: apiPath`/api/data/v3/datasources/${datasetId}/dataversions/details`,
      idempotent: true,
    };
    return listOf(await this.call<unknown>(request), request, ['dataVersions', 'versions']);
  }

  /** `GET /api/query/v1/datasources/:id/partition`: tags only, no row counts. */
  async partitions(datasetId: string): Promise<DomoPartition[]> {
    const request: DomoRequest = {
      method: 'GET',
      path: apiPath`/api/query/v1/datasources/${datasetId}/partition`,
      idempotent: true,
    };
    const list = listOf<DomoPartition | string>(await this.call<unknown>(request), request, ['partitions']);
    return list.map((p) => (typeof p === 'string' ? { partitionId: p } : p));
  }

  /** `POST /api/query/v1/datasources/:id/partition/list` with paginationFields, limit and offset (a read). */
  async searchPartitions(datasetId: string, body: DomoPartitionListRequest): Promise<DomoPartition[]> {
    const request: DomoRequest = {
      method: 'POST',
      path: apiPath`/api/query/v1/datasources/${datasetId}/partition/list`,
      json: body,
      idempotent: true,
    };
    return listOf(await this.call<unknown>(request), request, ['partitions', 'list']);
  }

  /**
   * `POST /api/dataprocessing/v2/dataflows/data-version-hydrate?engine=MAGIC&limit&offset` with the
   * doc's LoadFromVault body (a read).
   */
  async magicDataVersions(
    datasetId: string,
    params: { limit: number; offset: number; engine?: string },
  ): Promise<DomoDataVersion[]> {
    const json: DomoDataVersionHydrateRequest = {
      id: '',
      type: 'LoadFromVault',
      dataSourceId: datasetId,
      versionWindow: { type: 'EXPRESSION', expression: '1=1' },
    };
    const request: DomoRequest = {
      method: 'POST',
      path: '/api/dataprocessing/v2/dataflows/data-version-hydrate',
      query: { engine: params.engine ?? 'MAGIC', limit: params.limit, offset: params.offset },
      json,
      idempotent: true,
    };
    return listOf(await this.call<unknown>(request), request, ['dataVersions', 'versions']);
  }

  /** `DELETE /api/query/v1/datasources/:id/tag/:partitionId/data`: marks the tag's data version deleted. */
  async deleteDataVersion(datasetId: string, partitionId: string): Promise<unknown> {
    return this.call<unknown>({
      method: 'DELETE',
      path: apiPath`/api/query/v1/datasources/${datasetId}/tag/${partitionId}/data`,
    });
  }

  /** `DELETE /api/query/v1/datasources/:id/partition/:partitionId`: removes the partition tag. */
  async deletePartitionTag(datasetId: string, partitionId: string): Promise<unknown> {
    return this.call<unknown>({
      method: 'DELETE',
      path: apiPath`/api/query/v1/datasources/${datasetId}/partition/${partitionId}`,
    });
  }
}
