import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type GetQueryExecutionCommandOutput,
  type GetQueryResultsCommandOutput,
  type StartQueryExecutionCommandOutput,
} from '@aws-sdk/client-athena';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { openDuckDB } from '@/server/lake/parquet';
import { AthenaEngine, athenaLiteral, convertDatum, type AthenaEngineOptions } from '@/server/history/athenaEngine';
import { partitionPredicate } from '@/server/history/partitions';
import type { HistoryQuery } from '@/server/history/port';

const client = new AthenaClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
const athena = mockClient(client);

const FROM = Date.UTC(2026, 10, 30, 22, 15);
const TO = Date.UTC(2026, 11, 1, 1, 0);
const QUERY: HistoryQuery = {
  sql: 'SELECT event_type, count(*) AS n FROM {{events}} WHERE {{partitions}} AND ts_ms >= ? AND ts_ms < ? AND event_type = ? GROUP BY 1',
  params: [FROM, TO, "O'Brien"],
  scan: { fromMs: FROM, toMs: TO },
};

function engine(extra: Partial<AthenaEngineOptions> = {}): AthenaEngine {
  return new AthenaEngine({
    client,
    region: 'us-east-1',
    workgroup: 'pulse-wg',
    database: 'pulse',
    table: 'events',
    outputLocation: 's3://pulse-results/athena/',
    ...extra,
  });
}

const state = (State: string, extra: Record<string, unknown> = {}) =>
  ({ QueryExecution: { QueryExecutionId: 'q-1', Status: { State, ...extra } } }) as unknown as GetQueryExecutionCommandOutput;
const succeeded = (bytes: number) =>
  ({ QueryExecution: { QueryExecutionId: 'q-1', Status: { State: 'SUCCEEDED' }, Statistics: { DataScannedInBytes: bytes } } }) as unknown as GetQueryExecutionCommandOutput;
const started = { QueryExecutionId: 'q-1' } as StartQueryExecutionCommandOutput;

const COLUMNS = [
  { Name: 'event_type', Type: 'varchar' },
  { Name: 'n', Type: 'bigint' },
  { Name: 'share', Type: 'double' },
  { Name: 'qty', Type: 'integer' },
];
const cells = (...values: (string | undefined)[]) => ({ Data: values.map((v) => (v === undefined ? {} : { VarCharValue: v })) });
const page = (rows: ReturnType<typeof cells>[], NextToken?: string) =>
  ({ ResultSet: { ResultSetMetadata: { ColumnInfo: COLUMNS }, Rows: rows }, NextToken }) as unknown as GetQueryResultsCommandOutput;

/** advances fake time in small steps until the promise settles */
async function settle<T>(promise: Promise<T>, maxMs = 600_000): Promise<T> {
  let done = false;
  const watched = promise.finally(() => {
    done = true;
  });
  watched.catch(() => {});
  for (let t = 0; !done && t < maxMs; t += 25) await vi.advanceTimersByTimeAsync(25);
  return watched;
}

beforeEach(() => {
  athena.reset();
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  vi.setSystemTime(Date.UTC(2026, 11, 2, 9, 30));
});

afterEach(() => {
  vi.useRealTimers();
});

describe('AthenaEngine.run', () => {
  it('starts, polls with growing waits, reads both result pages and converts the values', async () => {
    athena.on(StartQueryExecutionCommand).resolves(started);
    const pollTimes: number[] = [];
    const states = [state('QUEUED'), state('RUNNING'), state('RUNNING'), state('RUNNING'), succeeded(123_456)];
    athena.on(GetQueryExecutionCommand).callsFake(async () => {
      pollTimes.push(Date.now());
      return states.shift();
    });
    athena
      .on(GetQueryResultsCommand)
      .resolvesOnce(
        page(
          [
            cells('event_type', 'n', 'share', 'qty'),
            cells('purchase', '42', '0.25', '3'),
            cells('', '9007199254740993', undefined, ''),
          ],
          't-2',
        ),
      )
      .resolvesOnce(page([cells(undefined, undefined, 'NaN', '-7')]));

    const t0 = Date.now();
    const result = await settle(engine().run(QUERY));

    const start = athena.commandCalls(StartQueryExecutionCommand);
    expect(start).toHaveLength(1);
    const input = start[0].args[0].input;
    expect(input.QueryString).toBe(
      `SELECT event_type, count(*) AS n FROM "pulse"."events" WHERE ${partitionPredicate(FROM, TO, 'trino')} AND ts_ms >= ? AND ts_ms < ? AND event_type = ? GROUP BY 1`,
    );
    expect(input.QueryString).toContain(
      '((year = 2026 AND month = 11 AND day = 30 AND hour IN (22, 23)) OR (year = 2026 AND month = 12 AND day = 1 AND hour = 0))',
    );
    expect(input.QueryString).not.toContain('{{');
    expect(input.QueryExecutionContext).toEqual({ Database: 'pulse' });
    expect(input.WorkGroup).toBe('pulse-wg');
    expect(input.ResultConfiguration).toEqual({ OutputLocation: 's3://pulse-results/athena/' });
    expect(input.ExecutionParameters).toEqual([String(FROM), String(TO), "'O''Brien'"]);
    expect(input.ClientRequestToken).toMatch(/^[0-9a-f-]{36}$/);

    const polls = athena.commandCalls(GetQueryExecutionCommand).map((c) => c.args[0].input);
    expect(polls).toEqual(Array(5).fill({ QueryExecutionId: 'q-1' }));
    const waits = pollTimes.map((t, i) => t - (i === 0 ? t0 : pollTimes[i - 1]));
    expect(waits).toEqual([200, 300, 450, 675, 1013]);

    const pages = athena.commandCalls(GetQueryResultsCommand).map((c) => c.args[0].input);
    expect(pages).toEqual([
      { QueryExecutionId: 'q-1', MaxResults: 1000 },
      { QueryExecutionId: 'q-1', MaxResults: 1000, NextToken: 't-2' },
    ]);
    expect(athena.commandCalls(StopQueryExecutionCommand)).toHaveLength(0);

    expect(result).toEqual({
      columns: ['event_type', 'n', 'share', 'qty'],
      rows: [
        ['purchase', 42, 0.25, 3],
        ['', '9007199254740993', null, null],
        [null, null, Number.NaN, -7],
      ],
      bytesScanned: 123_456,
      filesScanned: null,
      queryId: 'q-1',
    });
  });

  it('caps the poll wait at pollMs.max', async () => {
    athena.on(StartQueryExecutionCommand).resolves(started);
    const pollTimes: number[] = [];
    let n = 0;
    athena.on(GetQueryExecutionCommand).callsFake(async () => {
      pollTimes.push(Date.now());
      return ++n < 7 ? state('RUNNING') : succeeded(0);
    });
    athena.on(GetQueryResultsCommand).resolves(page([cells('event_type', 'n', 'share', 'qty')]));
    const t0 = Date.now();
    const result = await settle(engine({ pollMs: { initial: 200, max: 500 } }).run(QUERY));
    expect(pollTimes.map((t, i) => t - (i === 0 ? t0 : pollTimes[i - 1]))).toEqual([200, 300, 450, 500, 500, 500, 500]);
    expect(result.rows).toEqual([]);
    expect(result.bytesScanned).toBe(0);
  });

  it('leaves out OutputLocation and ExecutionParameters when there are none', async () => {
    athena.on(StartQueryExecutionCommand).resolves(started);
    athena.on(GetQueryExecutionCommand).resolves(succeeded(10));
    athena.on(GetQueryResultsCommand).resolves(page([cells('event_type', 'n', 'share', 'qty')]));
    await settle(engine({ outputLocation: undefined }).run({ ...QUERY, params: [] }));
    const input = athena.commandCalls(StartQueryExecutionCommand)[0].args[0].input;
    expect(input).not.toHaveProperty('ResultConfiguration');
    expect(input).not.toHaveProperty('ExecutionParameters');
  });

  it('gives each run its own ClientRequestToken', async () => {
    athena.on(StartQueryExecutionCommand).resolves(started);
    athena.on(GetQueryExecutionCommand).resolves(succeeded(10));
    athena.on(GetQueryResultsCommand).resolves(page([cells('event_type', 'n', 'share', 'qty')]));
    const e = engine();
    await settle(e.run(QUERY));
    await settle(e.run(QUERY));
    const tokens = athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input.ClientRequestToken);
    expect(new Set(tokens).size).toBe(2);
  });

  it('rejects a FAILED query with its StateChangeReason, reading no results', async () => {
    athena.on(StartQueryExecutionCommand).resolves(started);
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce(state('RUNNING'))
      .resolves(state('FAILED', { StateChangeReason: "COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved" }));
    const error = await settle(engine().run(QUERY)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain("Column 'nope' cannot be resolved");
    expect(error).toMatchObject({ queryId: 'q-1', state: 'FAILED', reason: "COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved" });
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(0);
  });

  it('rejects a query cancelled elsewhere', async () => {
    athena.on(StartQueryExecutionCommand).resolves(started);
    athena.on(GetQueryExecutionCommand).resolves(state('CANCELLED'));
    await expect(settle(engine().run(QUERY))).rejects.toThrow(/q-1 was cancelled/);
  });

  it('on abort while polling sends StopQueryExecution with the id and rejects with an AbortError', async () => {
    athena.on(StartQueryExecutionCommand).resolves(started);
    athena.on(GetQueryExecutionCommand).resolves(state('RUNNING'));
    athena.on(StopQueryExecutionCommand).resolves({});
    const controller = new AbortController();
    const running = engine().run(QUERY, { signal: controller.signal });
    running.catch(() => {});
    await vi.advanceTimersByTimeAsync(600); // two polls (200, then 300 later)
    expect(athena.commandCalls(GetQueryExecutionCommand)).toHaveLength(2);
    controller.abort();
    const error = await settle(running).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('AbortError');
    expect(athena.commandCalls(StopQueryExecutionCommand).map((c) => c.args[0].input)).toEqual([{ QueryExecutionId: 'q-1' }]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(athena.commandCalls(GetQueryExecutionCommand)).toHaveLength(2);
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(0);
  });

  it('on abort before StartQueryExecution answers, rejects at once and stops the query when its id arrives', async () => {
    let answer!: (out: StartQueryExecutionCommandOutput) => void;
    const pending = new Promise<StartQueryExecutionCommandOutput>((resolve) => (answer = resolve));
    athena.on(StartQueryExecutionCommand).callsFake(() => pending);
    athena.on(StopQueryExecutionCommand).resolves({});
    const controller = new AbortController();
    const running = engine().run(QUERY, { signal: controller.signal });
    running.catch(() => {});
    await vi.advanceTimersByTimeAsync(0);
    controller.abort();
    await expect(running).rejects.toMatchObject({ name: 'AbortError' });
    expect(athena.commandCalls(StopQueryExecutionCommand)).toHaveLength(0);
    answer(started);
    await vi.advanceTimersByTimeAsync(0);
    expect(athena.commandCalls(StopQueryExecutionCommand).map((c) => c.args[0].input)).toEqual([{ QueryExecutionId: 'q-1' }]);
    expect(athena.commandCalls(GetQueryExecutionCommand)).toHaveLength(0);
  });

  it('rejects with an AbortError without calling Athena when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(engine().run(QUERY, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(athena.calls()).toHaveLength(0);
  });

  it('stops and rejects a query that outlasts timeoutMs', async () => {
    athena.on(StartQueryExecutionCommand).resolves(started);
    athena.on(GetQueryExecutionCommand).resolves(state('RUNNING'));
    athena.on(StopQueryExecutionCommand).resolves({});
    const t0 = Date.now();
    const error = await settle(engine({ timeoutMs: 5000 }).run(QUERY)).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TimeoutError' });
    expect((error as Error).message).toContain('5000 ms');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(5000);
    expect(Date.now() - t0).toBeLessThan(5100);
    expect(athena.commandCalls(StopQueryExecutionCommand).map((c) => c.args[0].input)).toEqual([{ QueryExecutionId: 'q-1' }]);
  });

  it('refuses a query without the partition placeholder (it would read every projected partition)', async () => {
    await expect(engine().run({ ...QUERY, sql: 'SELECT count(*) FROM {{events}} WHERE ts_ms >= ?' })).rejects.toThrow(/\{\{partitions\}\}/);
    expect(athena.calls()).toHaveLength(0);
  });

  it('refuses parameters Athena cannot take as literals before starting anything', async () => {
    await expect(engine().run({ ...QUERY, params: [Number.NaN] })).rejects.toThrow(RangeError);
    await expect(engine().run({ ...QUERY, params: ['x'.repeat(2000)] })).rejects.toThrow(/at most 1024/);
    expect(athena.calls()).toHaveLength(0);
  });
});

describe('AthenaEngine.newestEventTime', () => {
  const maxPage = (value: string | undefined) =>
    ({
      ResultSet: { ResultSetMetadata: { ColumnInfo: [{ Name: 'newest', Type: 'bigint' }] }, Rows: [cells('newest'), cells(value)] },
    }) as unknown as GetQueryResultsCommandOutput;

  it('reads max(ts_ms) over the last two days, and widens once to 31 days when they are empty', async () => {
    athena.on(StartQueryExecutionCommand).resolves(started);
    athena.on(GetQueryExecutionCommand).resolves(succeeded(0));
    athena.on(GetQueryResultsCommand).resolvesOnce(maxPage(undefined)).resolvesOnce(maxPage('1763000000123'));
    const newest = await settle(engine().newestEventTime());
    expect(newest).toBe(1763000000123);
    const sqls = athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input.QueryString);
    // now is 2026-12-02 09:30 UTC: yesterday and today up to the next hour
    expect(sqls[0]).toBe(
      'SELECT max(ts_ms) AS newest FROM "pulse"."events" WHERE ((year = 2026 AND month = 12 AND day = 1) OR (year = 2026 AND month = 12 AND day = 2 AND hour BETWEEN 0 AND 10))',
    );
    expect(sqls[1]).toBe(`SELECT max(ts_ms) AS newest FROM "pulse"."events" WHERE ${partitionPredicate(Date.UTC(2026, 10, 2), Date.UTC(2026, 11, 2, 11), 'trino')}`);
    expect(sqls[1]).toContain('(year = 2026 AND month = 11 AND day BETWEEN 2 AND 30)');
    expect(athena.commandCalls(StartQueryExecutionCommand).every((c) => c.args[0].input.ExecutionParameters === undefined)).toBe(true);
  });

  it('asks once when the last two days have events, and is null when 31 days have none', async () => {
    athena.on(StartQueryExecutionCommand).resolves(started);
    athena.on(GetQueryExecutionCommand).resolves(succeeded(0));
    athena.on(GetQueryResultsCommand).resolvesOnce(maxPage('1764667000000'));
    expect(await settle(engine().newestEventTime())).toBe(1764667000000);
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(1);

    athena.reset();
    athena.on(StartQueryExecutionCommand).resolves(started);
    athena.on(GetQueryExecutionCommand).resolves(succeeded(0));
    athena.on(GetQueryResultsCommand).resolves(maxPage(undefined));
    expect(await settle(engine().newestEventTime())).toBeNull();
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(2);
  });
});

describe('convertDatum', () => {
  it('converts by the column type, null where Athena gives no value', () => {
    expect(convertDatum({ VarCharValue: '12' }, 'bigint')).toBe(12);
    expect(convertDatum({ VarCharValue: '-3' }, 'integer')).toBe(-3);
    expect(convertDatum({ VarCharValue: '2.5' }, 'double')).toBe(2.5);
    expect(convertDatum({ VarCharValue: '12' }, 'varchar')).toBe('12');
    expect(convertDatum({ VarCharValue: '' }, 'varchar')).toBe('');
    expect(convertDatum({ VarCharValue: '' }, 'bigint')).toBeNull();
    expect(convertDatum({ VarCharValue: '' }, 'double')).toBeNull();
    expect(convertDatum({}, 'varchar')).toBeNull();
    expect(convertDatum(undefined, 'bigint')).toBeNull();
    expect(convertDatum({ VarCharValue: '12345678901234567890' }, 'bigint')).toBe('12345678901234567890');
    expect(convertDatum({ VarCharValue: 'true' }, 'boolean')).toBe('true');
  });
});

describe('athenaLiteral', () => {
  let db: { instance: DuckDBInstance; connection: DuckDBConnection };
  beforeAll(async () => {
    db = await openDuckDB();
  });
  afterAll(() => db?.connection.closeSync());

  it('renders numbers as their decimal text', () => {
    expect(athenaLiteral(0)).toBe('0');
    expect(athenaLiteral(-5)).toBe('-5');
    expect(athenaLiteral(1.5)).toBe('1.5');
    expect(athenaLiteral(1764547200000)).toBe('1764547200000');
    expect(athenaLiteral(-0)).toBe('0');
  });

  it('quotes strings with single quotes doubled', () => {
    expect(athenaLiteral('abc')).toBe("'abc'");
    expect(athenaLiteral('')).toBe("''");
    expect(athenaLiteral("O'Brien")).toBe("'O''Brien'");
    expect(athenaLiteral("''")).toBe("''''''");
    expect(athenaLiteral('a\\b')).toBe("'a\\b'");
  });

  it('gives literals a standard SQL engine reads back as the same one value', async () => {
    // DuckDB's string literals follow the same standard as Trino's: '' is the only escape
    const values = ["x' OR '1'='1", "'; DROP TABLE events; --", 'tab\there\nnewline', 'back\\slash\\', 'émoji 🛒 ‘quotes’', "'", '?'];
    for (const v of values) {
      const r = await db.connection.runAndReadAll(`SELECT ${athenaLiteral(v)} AS v, 1 AS one`);
      expect(r.getRows()).toEqual([[v, 1]]);
    }
    for (const n of [0, -5, 1.5, 1764547200000, 0.1, 1e-7, -2.25]) {
      const r = await db.connection.runAndReadAll(`SELECT (${athenaLiteral(n)})::DOUBLE AS v`);
      expect(r.getRows()).toEqual([[n]]);
    }
  });

  it('refuses what no literal can carry', () => {
    expect(() => athenaLiteral(Number.NaN)).toThrow(RangeError);
    expect(() => athenaLiteral(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => athenaLiteral(2 ** 60)).toThrow(/2\^53/);
    expect(() => athenaLiteral('a\u0000b')).toThrow(/NUL/);
    expect(() => athenaLiteral('x'.repeat(1023))).toThrow(/at most 1024/);
    expect(athenaLiteral('x'.repeat(1022))).toHaveLength(1024);
  });
});
