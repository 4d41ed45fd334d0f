import { describe, expect, it } from 'vitest';
import { DomoError } from '../../src/domo/errors.ts';
import { normalizeQueryResult } from '../../src/domo/query.ts';

describe('normalizeQueryResult', () => {
  it("reads the API doc's list of row objects, keeping column order and filling gaps with null", () => {
    expect(
      normalizeQueryResult([
        { region: 'East', n: 1 },
        { region: 'West', extra: true },
      ]),
    ).toEqual({
      columns: ['region', 'n', 'extra'],
      types: [null, null, null],
      rows: [
        ['East', 1, null],
        ['West', null, true],
      ],
    });
  });

  it('reads an empty list as no columns and no rows', () => {
    expect(normalizeQueryResult([])).toEqual({ columns: [], types: [], rows: [] });
  });

  it("reads real instances' {columns, metadata, rows} with the types", () => {
    expect(
      normalizeQueryResult({
        datasource: 'x',
        columns: ['region', 'n'],
        metadata: [{ type: 'STRING' }, { type: 'LONG', dataSourceId: 'x' }],
        rows: [
          ['East', 1],
          ['West', 2],
        ],
        numRows: 2,
        numColumns: 2,
        fromcache: false,
      }),
    ).toEqual({
      columns: ['region', 'n'],
      types: ['STRING', 'LONG'],
      rows: [
        ['East', 1],
        ['West', 2],
      ],
    });
  });

  it('keeps a columns answer without metadata, types unknown', () => {
    expect(normalizeQueryResult({ columns: ['a'], rows: [[1]] })).toEqual({
      columns: ['a'],
      types: [null],
      rows: [[1]],
    });
  });

  it('fails with an UPSTREAM DomoError on any other shape', () => {
    for (const body of [null, undefined, 'text', 42, { rows: [] }, { columns: [] }, [1, 2], [['a']]]) {
      expect(() => normalizeQueryResult(body)).toThrow(DomoError);
      try {
        normalizeQueryResult(body);
      } catch (error) {
        expect((error as DomoError).kind).toBe('upstream');
        expect((error as DomoError).message).toMatch(/unexpected shape/);
      }
    }
  });
});
