import { describe, expect, it } from 'vitest';
import { parseAdvancedSchedule, serializeAdvancedSchedule } from '../../src/domo/schedule.ts';
import { updateStreamBody as updateBody } from '../../src/domo/streams.ts';
import type { DomoStream } from '../../src/domo/types.ts';
import { createBody } from '../../src/graph/types/stream/mutations.ts';
import { scheduleFromInput } from '../../src/graph/types/stream/schedule.ts';

describe('advancedScheduleJson', () => {
  it('writes the exact string of the API doc examples', () => {
    expect(serializeAdvancedSchedule({ type: 'MANUAL', timezone: 'UTC' })).toBe(
      '{"type": "MANUAL", "timezone": "UTC"}',
    );
  });

  it('puts type and timezone first, keeps nulls, drops undefined, nests objects and lists', () => {
    expect(
      serializeAdvancedSchedule({
        interval: 30,
        between: { start: '08:00', end: '17:00' },
        type: 'MINUTE',
        hour: undefined,
        daysOfWeek: [1, 2],
        timezone: 'UTC',
        extra: null,
      }),
    ).toBe(
      '{"type": "MINUTE", "timezone": "UTC", "interval": 30, "between": {"start": "08:00", "end": "17:00"}, "daysOfWeek": [1, 2], "extra": null}',
    );
  });

  it('reads the GET example, and gives null for what is not a schedule', () => {
    expect(parseAdvancedSchedule('{"type":"MINUTE","timezone":"UTC","between":null,"interval":30}')).toEqual({
      type: 'MINUTE',
      timezone: 'UTC',
      between: null,
      interval: 30,
    });
    for (const raw of [null, undefined, '', 'not json', '[]', '{"timezone":"UTC"}', '42']) {
      expect(parseAdvancedSchedule(raw)).toBeNull();
    }
  });

  it('round-trips what it writes', () => {
    const schedule = { type: 'DAY', timezone: 'America/Denver', hour: 6, minute: 15 };
    expect(parseAdvancedSchedule(serializeAdvancedSchedule(schedule))).toEqual(schedule);
  });
});

describe('stream inputs', () => {
  it('validates the schedule and names the field', () => {
    expect(scheduleFromInput({ type: 'HOUR', interval: 2 })).toEqual({
      type: 'HOUR',
      timezone: 'UTC',
      interval: 2,
    });
    expect(() => scheduleFromInput({ type: 'DAY', hour: 24 })).toThrow(/input\.schedule\.hour/);
    expect(() => scheduleFromInput({ type: 'WEEK', daysOfWeek: [1, 1] })).toThrow(/duplicates/);
    expect(() => scheduleFromInput({ type: 'DAY', timezone: 'Nowhere/Else' })).toThrow(/timezone/);
  });

  it('builds the create body in the doc’s shape', () => {
    expect(
      createBody({
        transport: { type: 'CONNECTOR', description: 'com.domo.connector.snowflakeunloadv2', version: '1' },
        configuration: [
          { name: 'query', value: 'SELECT * FROM table', type: 'string', category: 'METADATA' },
        ],
        account: { id: 3 },
        updateMethod: 'APPEND',
        dataProvider: { key: 'snowflake-unload-v2' },
        dataSource: { name: 'hello world', description: 'config works?' },
        schedule: { type: 'MANUAL', timezone: 'UTC' },
      }),
    ).toEqual({
      transport: { type: 'CONNECTOR', description: 'com.domo.connector.snowflakeunloadv2', version: '1' },
      configuration: [{ name: 'query', value: 'SELECT * FROM table', type: 'string', category: 'METADATA' }],
      account: { id: 3 },
      updateMethod: 'APPEND',
      dataProvider: { key: 'snowflake-unload-v2' },
      dataSource: { name: 'hello world', description: 'config works?' },
      advancedScheduleJson: '{"type": "MANUAL", "timezone": "UTC"}',
    });
  });

  it('fills an update from the stream as it is', () => {
    const current: DomoStream = {
      id: 371,
      transport: { type: 'CONNECTOR', description: 'com.domo.connector.covid19', version: '0' },
      updateMethod: 'REPLACE',
      dataProvider: { key: 'covid-19' },
      account: null,
      dataSource: { id: 'd', name: 'Covid', description: 'cases' },
      advancedScheduleJson: '{"type":"MINUTE","timezone":"UTC","between":null,"interval":30}',
      configuration: [{ streamId: 371, category: 'METADATA', name: 'report', type: 'string', value: 'x' }],
    };
    expect(updateBody(current, { dataSource: { name: 'New name' } })).toEqual({
      transport: { type: 'CONNECTOR', description: 'com.domo.connector.covid19', version: '0' },
      configuration: [{ name: 'report', value: 'x', type: 'string', category: 'METADATA' }],
      account: null,
      updateMethod: 'REPLACE',
      dataProvider: { key: 'covid-19' },
      dataSource: { name: 'New name', description: 'cases' },
      advancedScheduleJson: '{"type":"MINUTE","timezone":"UTC","between":null,"interval":30}',
    });
  });
});
