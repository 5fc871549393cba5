import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { LAKE_COLUMNS } from '@/server/lake/schema';
import { hourDir, hourPartition } from '@/server/lake/layout';
import { eventsLocation, hiveIdent, hiveString, lakeDdl, lakeDdlStatements } from '@/server/history/athenaDdl';

const run = promisify(execFile);
const OPTS = { bucket: 'pulse-lake', prefix: 'shop/eu/', database: 'pulse', table: 'events' };

/** reads one Hive string literal back (backslash escapes), for checking what Athena stores */
function unHive(literal: string): string {
  expect(literal.startsWith("'") && literal.endsWith("'")).toBe(true);
  const body = literal.slice(1, -1);
  const map: Record<string, string> = { n: '\n', r: '\r', t: '\t' };
  let out = '';
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '\\') out += map[body[++i]] ?? body[i];
    else {
      expect(body[i]).not.toBe("'"); // an unescaped quote would end the literal
      out += body[i];
    }
  }
  return out;
}

const HIVE_STRING = String.raw`'(?:[^'\\]|\\.)*'`;

function tableProperties(ddl: string): Map<string, string> {
  const block = /TBLPROPERTIES \(\n([\s\S]*)\n\)$/.exec(ddl);
  expect(block).not.toBeNull();
  const props = new Map<string, string>();
  for (const line of block![1].split(',\n')) {
    const m = new RegExp(`^  (${HIVE_STRING})=(${HIVE_STRING})$`).exec(line);
    expect(m, line).not.toBeNull();
    props.set(unHive(m![1]), unHive(m![2]));
  }
  return props;
}

describe('lake DDL', () => {
  const [createDb, createTable] = lakeDdlStatements(OPTS);

  it('creates the database, then the external table', () => {
    expect(createDb).toBe('CREATE DATABASE IF NOT EXISTS `pulse`');
    expect(createTable.startsWith('CREATE EXTERNAL TABLE IF NOT EXISTS `pulse`.`events` (\n')).toBe(true);
    expect(createTable).toContain('\nPARTITIONED BY (`year` int, `month` int, `day` int, `hour` int)\nSTORED AS PARQUET\n');
    expect(createTable).toContain("\nLOCATION 's3://pulse-lake/shop/eu/events/'\n");
  });

  it('has every lake column, in order, with its Athena type and its doc as the comment', () => {
    const body = createTable.slice(createTable.indexOf('(\n') + 2, createTable.indexOf('\n)\n'));
    const lines = body.split(',\n');
    expect(lines).toHaveLength(LAKE_COLUMNS.length);
    LAKE_COLUMNS.forEach((c, i) => {
      const m = new RegExp(`^  \`([a-z_]+)\` +(\\S+) COMMENT (${HIVE_STRING})$`).exec(lines[i]);
      expect(m, lines[i]).not.toBeNull();
      expect(m![1]).toBe(c.name);
      expect(m![2]).toBe(c.athena);
      expect(unHive(m![3])).toBe(c.doc);
    });
    // a doc with a quote is escaped, not cut short
    expect(createTable).toContain("COMMENT 'the client\\'s event_id, or the id the server assigned'");
  });

  it('projects the partitions and locates them as the lake writer lays them out', () => {
    const props = tableProperties(createTable);
    expect(Object.fromEntries(props)).toEqual({
      'projection.enabled': 'true',
      'projection.year.type': 'integer',
      'projection.year.range': '2020,2100',
      'projection.month.type': 'integer',
      'projection.month.range': '1,12',
      'projection.month.digits': '2',
      'projection.day.type': 'integer',
      'projection.day.range': '1,31',
      'projection.day.digits': '2',
      'projection.hour.type': 'integer',
      'projection.hour.range': '0,23',
      'projection.hour.digits': '2',
      'storage.location.template': 's3://pulse-lake/shop/eu/events/year=${year}/month=${month}/day=${day}/hour=${hour}/',
      'parquet.compression': 'ZSTD',
    });
    // the template filled in as projection does (digits-padded) is the folder layout.ts writes
    const template = props.get('storage.location.template')!;
    for (const ts of [Date.UTC(2026, 0, 1, 0, 0), Date.UTC(2026, 11, 31, 23, 59), Date.UTC(2031, 4, 7, 9, 30)]) {
      const p = hourPartition(ts);
      const pad = (n: number) => String(n).padStart(2, '0');
      const filled = template
        .replace('${year}', String(p.year))
        .replace('${month}', pad(p.month))
        .replace('${day}', pad(p.day))
        .replace('${hour}', pad(p.hour));
      expect(filled).toBe(`s3://pulse-lake/shop/eu/${hourDir(ts)}/`);
    }
  });

  it('takes another projected year range, and an empty prefix', () => {
    const ddl = lakeDdlStatements({ ...OPTS, prefix: '', years: { from: 2024, to: 2040 } })[1];
    const props = tableProperties(ddl);
    expect(props.get('projection.year.range')).toBe('2024,2040');
    expect(props.get('storage.location.template')).toBe('s3://pulse-lake/events/year=${year}/month=${month}/day=${day}/hour=${hour}/');
    expect(ddl).toContain("LOCATION 's3://pulse-lake/events/'");
  });

  it('refuses names, buckets and prefixes that are not what the config allows', () => {
    expect(() => lakeDdlStatements({ ...OPTS, database: 'Pulse-DB' })).toThrow(/database/);
    expect(() => lakeDdlStatements({ ...OPTS, table: 'events`; DROP' })).toThrow(/table/);
    expect(() => eventsLocation('Bad_Bucket', '')).toThrow(/bucket/);
    expect(() => eventsLocation('pulse-lake', 'no-slash')).toThrow(/prefix/);
    expect(() => lakeDdlStatements({ ...OPTS, years: { from: 2100, to: 2020 } })).toThrow(/years/);
  });

  it('quotes identifiers and strings the Hive way', () => {
    expect(hiveIdent('a`b')).toBe('`a``b`');
    for (const s of ["it's", 'back\\slash', 'two\nlines', "\\'", '']) expect(unHive(hiveString(s))).toBe(s);
  });

  it('joins the statements as a script, each ended by a semicolon', () => {
    const script = lakeDdl(OPTS);
    expect(script).toBe(`${createDb};\n\n${createTable};\n`);
  });
});

describe('npm run lake:ddl', () => {
  const script = 'scripts/lake-ddl.ts';
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test' as const };

  it('prints the DDL from the configuration, flags overriding it', async () => {
    const fromEnv = await run(process.execPath, ['--import', 'tsx', script], {
      env: { ...env, LAKE_S3_BUCKET: 'pulse-lake', LAKE_S3_PREFIX: 'shop/eu/', ATHENA_DATABASE: 'pulse', ATHENA_TABLE: 'events' },
    });
    expect(fromEnv.stdout).toBe(lakeDdl(OPTS));

    const flags = await run(process.execPath, ['--import', 'tsx', script, '--bucket', 'other-lake', '--prefix', 'x/', '--database', 'analytics', '--table', 'shop_events'], {
      env: { ...env, LAKE_S3_BUCKET: 'pulse-lake' },
    });
    expect(flags.stdout).toBe(lakeDdl({ bucket: 'other-lake', prefix: 'x/', database: 'analytics', table: 'shop_events' }));
  });

  it('fails with a message without a bucket or with a bad flag value', async () => {
    const noBucket = await run(process.execPath, ['--import', 'tsx', script], { env }).catch((e: { code: number; stderr: string }) => e);
    expect(noBucket).toMatchObject({ code: 2 });
    expect((noBucket as { stderr: string }).stderr).toContain('LAKE_S3_BUCKET');

    const badDb = await run(process.execPath, ['--import', 'tsx', script, '--bucket', 'pulse-lake', '--database', 'Bad-Name'], { env }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(badDb).toMatchObject({ code: 2 });
    expect((badDb as { stderr: string }).stderr).toContain('ATHENA_DATABASE');
  });
});
