import { LAKE_COLUMNS, type LakeColumn } from '@/server/lake/schema';

/**
 * The Glue / Athena DDL of the lake's table: one external Parquet table over
 * `s3://<bucket>/<prefix>events/`, partitioned by the event's UTC year/month/day/hour with
 * partition projection (no crawler, no MSCK REPAIR: Athena computes the partitions from the
 * query's predicate on them and the location template, which mirrors server/lake/layout.ts).
 *
 * Athena DDL is Hive's: identifiers in backticks, string literals with backslash escapes.
 */

export interface LakeDdlOptions {
  bucket: string;
  /** key prefix in the bucket: '' or segments ending in '/' (LAKE_S3_PREFIX) */
  prefix: string;
  database: string;
  table: string;
  /** the years partition projection knows (inclusive) */
  years?: { from: number; to: number };
  columns?: readonly LakeColumn[];
}

export const PROJECTION = {
  year: { range: [2020, 2100] as const, digits: null },
  month: { range: [1, 12] as const, digits: 2 },
  day: { range: [1, 31] as const, digits: 2 },
  hour: { range: [0, 23] as const, digits: 2 },
} as const;

/** a Hive identifier in backticks (a backtick inside doubled) */
export function hiveIdent(name: string): string {
  if (name.length === 0) throw new Error('an identifier cannot be empty');
  return `\`${name.replaceAll('`', '``')}\``;
}

/** a Hive string literal: single quotes, backslash escapes */
export function hiveString(value: string): string {
  const escaped = value
    .replaceAll('\\', '\\\\')
    .replaceAll("'", "\\'")
    .replaceAll('\n', '\\n')
    .replaceAll('\r', '\\r')
    .replaceAll('\t', '\\t');
  return `'${escaped}'`;
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const PREFIX = /^([A-Za-z0-9_.=-]+\/)*$/;
const NAME = /^[a-z0-9_]{1,255}$/;

/** s3://bucket/prefix/events/ */
export function eventsLocation(bucket: string, prefix: string): string {
  if (!BUCKET.test(bucket)) throw new Error(`bucket ${JSON.stringify(bucket)} is not a valid S3 bucket name`);
  if (!PREFIX.test(prefix)) throw new Error(`prefix ${JSON.stringify(prefix)} must be empty or path segments ending in /, e.g. pulse/`);
  return `s3://${bucket}/${prefix}events/`;
}

/** the statements, in order (Athena runs one statement per query) */
export function lakeDdlStatements(opts: LakeDdlOptions): string[] {
  for (const [what, name] of [['database', opts.database], ['table', opts.table]] as const) {
    if (!NAME.test(name)) throw new Error(`${what} ${JSON.stringify(name)} must be 1-255 lower-case letters, digits and _`);
  }
  const location = eventsLocation(opts.bucket, opts.prefix);
  const years = opts.years ?? { from: PROJECTION.year.range[0], to: PROJECTION.year.range[1] };
  if (!(Number.isInteger(years.from) && Number.isInteger(years.to) && 1000 <= years.from && years.from <= years.to && years.to <= 9999)) {
    throw new Error(`projected years ${years.from}-${years.to} must be a range of 4-digit years`);
  }
  const columns = opts.columns ?? LAKE_COLUMNS;
  const width = Math.max(...columns.map((c) => hiveIdent(c.name).length));
  const columnLines = columns.map((c) => `  ${hiveIdent(c.name).padEnd(width)} ${c.athena} COMMENT ${hiveString(c.doc)}`);

  const ranges = { ...PROJECTION, year: { range: [years.from, years.to], digits: null } };
  const props: [string, string][] = [['projection.enabled', 'true']];
  for (const [col, p] of Object.entries(ranges)) {
    props.push([`projection.${col}.type`, 'integer']);
    props.push([`projection.${col}.range`, `${p.range[0]},${p.range[1]}`]);
    if (p.digits !== null) props.push([`projection.${col}.digits`, String(p.digits)]);
  }
  props.push(['storage.location.template', `${location}year=\${year}/month=\${month}/day=\${day}/hour=\${hour}/`]);
  props.push(['parquet.compression', 'ZSTD']);

  const db = hiveIdent(opts.database);
  return [
    `CREATE DATABASE IF NOT EXISTS ${db}`,
    [
      `CREATE EXTERNAL TABLE IF NOT EXISTS ${db}.${hiveIdent(opts.table)} (`,
      columnLines.join(',\n'),
      `)`,
      `COMMENT ${hiveString('Pulse lake: one row per accepted event, partitioned by the UTC hour of its event time')}`,
      `PARTITIONED BY (${Object.keys(PROJECTION).map((c) => `${hiveIdent(c)} int`).join(', ')})`,
      `STORED AS PARQUET`,
      `LOCATION ${hiveString(location)}`,
      `TBLPROPERTIES (`,
      props.map(([k, v]) => `  ${hiveString(k)}=${hiveString(v)}`).join(',\n'),
      `)`,
    ].join('\n'),
  ];
}

/** the statements as one script, each ended by `;` */
export function lakeDdl(opts: LakeDdlOptions): string {
  return lakeDdlStatements(opts).map((s) => `${s};\n`).join('\n');
}
