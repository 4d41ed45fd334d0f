/**
 * Bounded label cardinality: 1,000 distinct operation names and 1,000 distinct dataset ids leave a
 * bounded number of series, and no id value, SQL text or hostile name reaches a label.
 */
import { describe, expect, it } from 'vitest';
import { endpointTemplate } from '../../src/domo/endpoint.ts';
import { createMetrics, MAX_OPERATION_NAMES, operationLabel } from '../../src/ops/metrics.ts';

/** Series of one metric family in the exposition text. */
const series = (text: string, name: string) =>
  text.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));

describe('metrics cardinality', () => {
  it('counts 1,000 operation names and 1,000 dataset ids in bounded series', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    for (let i = 0; i < 1000; i++) {
      metrics.operation(`Op${i}`, 'query', i % 2 === 0, 0.01);
      metrics.sink.emit({
        type: 'upstream',
        endpoint: endpointTemplate(`/api/query/v1/execute/ds-${i}`),
        method: 'POST',
        status: i % 3 === 0 ? 429 : 200,
        durationMs: 5,
        retries: i % 3 === 0 ? 1 : 0,
        throttled: i % 3 === 0,
      });
    }
    const { body } = await metrics.render();
    const operations = series(body, 'domo_graph_operations_total');
    // The first MAX_OPERATION_NAMES names and `other`, each with two outcomes at most.
    expect(operations.length).toBeLessThanOrEqual((MAX_OPERATION_NAMES + 1) * 2);
    expect(operations.some((line) => line.includes('name="other"'))).toBe(true);
    expect(body).not.toContain('Op999');
    const upstream = series(body, 'domo_graph_upstream_requests_total');
    expect(upstream).toEqual([
      'domo_graph_upstream_requests_total{endpoint="/api/query/v1/execute/{id}",method="POST",status="429"} 334',
      'domo_graph_upstream_requests_total{endpoint="/api/query/v1/execute/{id}",method="POST",status="200"} 666',
    ]);
    expect(series(body, 'domo_graph_upstream_throttled_total')).toHaveLength(1);
    expect(body).not.toContain('ds-');
    const all = body.split('\n').filter((line) => line && !line.startsWith('#'));
    expect(all.length).toBeLessThan(3_000);
  });

  it('labels a name that is not a GraphQL name `invalid`, and none `anonymous`', () => {
    const seen = new Set<string>();
    expect(operationLabel(seen, 'SELECT * FROM secret')).toBe('invalid');
    expect(operationLabel(seen, 'a'.repeat(65))).toBe('invalid');
    expect(operationLabel(seen, undefined)).toBe('anonymous');
    expect(operationLabel(seen, 'Dashboard')).toBe('Dashboard');
    expect(operationLabel(new Set(['A']), 'B', 1)).toBe('other');
  });
});
