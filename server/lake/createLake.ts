import { join } from 'node:path';
import type { Config } from '@/server/config';
import { log } from '@/server/log';
import type { EventLog, LiveStore } from '@/server/ports';
import type { ShopSettings } from '@/server/shop';
import { LakeCompactor } from './compactor';
import { hourOfDir } from './layout';
import { LocalLakeStore, S3LakeStore, type LakeStore } from './lakeStore';
import { LakeWriter } from './lakeWriter';
import { ParquetEncoder } from './parquet';

/** the lake's destination from the configuration: an S3 bucket, or a folder under the data directory */
export function createLakeStore(config: Pick<Config, 'LAKE_S3_BUCKET' | 'LAKE_S3_PREFIX' | 'S3_ENDPOINT' | 'AWS_REGION' | 'LAKE_DIR' | 'PULSE_DATA_DIR'>): LakeStore {
  if (config.LAKE_S3_BUCKET) {
    return new S3LakeStore({ bucket: config.LAKE_S3_BUCKET, prefix: config.LAKE_S3_PREFIX, region: config.AWS_REGION, endpoint: config.S3_ENDPOINT });
  }
  return new LocalLakeStore(config.LAKE_DIR ?? join(config.PULSE_DATA_DIR, 'lake'));
}

/** how often the compactor looks at recent hours */
export const COMPACT_EVERY_MS = 60_000;

export interface RunningLake {
  writer: LakeWriter;
  compactor: LakeCompactor;
  stop(): Promise<void>;
}

/**
 * Starts the lake writer of a processing process, and the compactor, which works only while this
 * process writes partition 0 (one compactor per lake).
 */
export async function startLake(opts: {
  config: Pick<Config, 'LAKE_FLUSH_INTERVAL_MS' | 'LAKE_FLUSH_MAX_EVENTS' | 'LAKE_COMPACT_AFTER_MINUTES' | 'LOG_READ_COUNT'>;
  lake: LakeStore;
  log: EventLog;
  live: LiveStore;
  shop: ShopSettings;
  owner: string;
  compactEveryMs?: number;
}): Promise<RunningLake> {
  const encoder = await ParquetEncoder.open();
  const compactor = new LakeCompactor({ lake: opts.lake, encoder, compactAfterMs: opts.config.LAKE_COMPACT_AFTER_MINUTES * 60_000 });
  const writer = new LakeWriter({
    log: opts.log,
    live: opts.live,
    lake: opts.lake,
    encoder,
    shop: opts.shop,
    owner: opts.owner,
    flushIntervalMs: opts.config.LAKE_FLUSH_INTERVAL_MS,
    maxBufferedEvents: opts.config.LAKE_FLUSH_MAX_EVENTS,
    maxEntries: Math.max(64, opts.config.LOG_READ_COUNT),
    onFlushed: (f) => {
      for (const file of f.files) {
        const hour = hourOfDir(file.key.slice(0, file.key.lastIndexOf('/')));
        if (hour !== null) compactor.touch(hour);
      }
    },
  });
  await writer.start();
  log.info(`lake: writing Parquet to ${opts.lake.location} (an event is queryable within about ${Math.round(opts.config.LAKE_FLUSH_INTERVAL_MS / 1000)} s)`);
  let compacting: Promise<unknown> | null = null;
  const pass = () => {
    if (compacting || !writer.owns(0)) return;
    compacting = compactor
      .runOnce()
      .then((reports) => {
        for (const r of reports) log.info('lake: compacted an hour', { ...r });
      })
      .catch((err) => log.warn('lake compaction pass failed', { error: String(err) }))
      .finally(() => (compacting = null));
  };
  const timer = setInterval(pass, opts.compactEveryMs ?? COMPACT_EVERY_MS);
  timer.unref();
  return {
    writer,
    compactor,
    async stop() {
      clearInterval(timer);
      await compacting;
      await writer.stop();
      encoder.close();
    },
  };
}
