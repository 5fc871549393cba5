import type { Config } from '@/server/config';
import { AthenaEngine } from '@/server/history/athenaEngine';
import { DuckDBHistoryEngine } from '@/server/history/duckdbEngine';
import type { HistoryEngine } from '@/server/history/port';
import { createHistoryService, type HistoryService } from '@/server/history/service';
import { LocalLakeStore, type LakeStore } from '@/server/lake/lakeStore';
import type { ShopSettings } from '@/server/shop';

type HistoryConfig = Pick<
  Config,
  'historyEngine' | 'LAKE_FLUSH_INTERVAL_MS' | 'AWS_REGION' | 'ATHENA_WORKGROUP' | 'ATHENA_DATABASE' | 'ATHENA_TABLE' | 'ATHENA_OUTPUT_LOCATION'
>;

/**
 * The history service for this configuration: DuckDB over a local lake folder, Athena over the
 * S3 lake (config.historyEngine, which config.ts already checked against the lake's kind). An
 * event is queryable within about one flush interval of the lake writer.
 */
export function createHistoryFromConfig(config: HistoryConfig, shop: ShopSettings, lakeStore: LakeStore): HistoryService {
  let engine: HistoryEngine;
  if (config.historyEngine === 'athena') {
    engine = new AthenaEngine({
      region: config.AWS_REGION,
      workgroup: config.ATHENA_WORKGROUP,
      database: config.ATHENA_DATABASE,
      table: config.ATHENA_TABLE,
      outputLocation: config.ATHENA_OUTPUT_LOCATION,
    });
  } else {
    if (!(lakeStore instanceof LocalLakeStore)) throw new Error('HISTORY_ENGINE=duckdb reads a local lake folder only; with an S3 lake use athena');
    engine = new DuckDBHistoryEngine(lakeStore);
  }
  return createHistoryService({
    engine,
    shop,
    lake: { kind: lakeStore.kind, location: lakeStore.location, visibleWithinMs: config.LAKE_FLUSH_INTERVAL_MS },
  });
}
