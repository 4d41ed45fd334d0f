/** Cards built on a dataset. */
import type { Call } from './call.ts';
import { unexpectedShape } from './call.ts';
import { apiPath, type DomoRequest } from './http.ts';
import type { DomoCard } from './types.ts';

export class CardsApi {
  constructor(private readonly call: Call) {}

  /** `GET /api/content/v1/datasources/:id/cards?drill=`: the cards on a dataset, drill paths too when `drill`. */
  async forDataset(datasetId: string, drill = true): Promise<DomoCard[]> {
    const request: DomoRequest = {
      method: 'GET',
      path: apiPath`/api/content/v1/datasources/${datasetId}/cards`,
      query: { drill },
      idempotent: true,
    };
    const body = await this.call<DomoCard[]>(request);
    if (!Array.isArray(body)) throw unexpectedShape(request, 'the cards are not a list');
    return body;
  }
}
