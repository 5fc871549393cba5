import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver';
import { S3LakeStore } from '@/server/lake/lakeStore';

export interface LocalS3 {
  endpoint: string;
  bucket: string;
  /** an S3 lake store on the bucket under `prefix` */
  lake(prefix?: string): S3LakeStore;
  close(): Promise<void>;
}

/** s3rver (a real S3-compatible HTTP server) on a free port, with one empty bucket */
export async function startS3(bucket = 'pulse-lake'): Promise<LocalS3> {
  const directory = mkdtempSync(join(tmpdir(), 'pulse-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
  const addr = (await server.run()) as { address: string; port: number };
  const endpoint = `http://127.0.0.1:${addr.port}`;
  const stores: S3LakeStore[] = [];
  return {
    endpoint,
    bucket,
    lake(prefix = '') {
      const s = new S3LakeStore({ bucket, prefix, region: 'us-east-1', endpoint, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
      stores.push(s);
      return s;
    },
    async close() {
      for (const s of stores) s.close();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
