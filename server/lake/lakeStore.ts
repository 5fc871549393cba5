import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * Where the lake's objects live: a local folder or an S3 bucket and prefix. Keys are the
 * relative paths of `layout.ts` ("events/year=…/….parquet"). Every `put` is atomic: a reader sees
 * the old object or the new one, never a part — a temporary file renamed into place locally, a
 * single PutObject on S3.
 */
export interface LakeStore {
  readonly kind: 'local' | 's3';
  /** a readable location for logs and the UI (`/data/lake`, `s3://bucket/prefix`) */
  readonly location: string;
  put(key: string, body: Uint8Array | string): Promise<void>;
  get(key: string): Promise<Buffer | null>;
  /** names of the objects directly under `dir` (not deeper), unsorted */
  list(dir: string): Promise<string[]>;
  /** names of the sub-folders directly under `dir` ("year=2026", …) */
  listDirs(dir: string): Promise<string[]>;
  delete(keys: readonly string[]): Promise<void>;
  /** a local path DuckDB can read the key from (local folders only) */
  localPath?(key: string): string;
  close(): void;
}

function checkKey(key: string): string {
  if (key.startsWith('/') || key.split('/').some((p) => p === '..' || p === '.' || p === '')) throw new Error(`bad lake key ${JSON.stringify(key)}`);
  return key;
}

export class LocalLakeStore implements LakeStore {
  readonly kind = 'local';
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  get location(): string {
    return this.root;
  }

  localPath(key: string): string {
    const p = join(this.root, checkKey(key));
    if (!p.startsWith(this.root + sep)) throw new Error(`lake key outside the lake: ${key}`);
    return p;
  }

  async put(key: string, body: Uint8Array | string): Promise<void> {
    const tmp = await this.tempFileFor(key);
    try {
      await writeFile(tmp, body);
      await this.moveInto(key, tmp);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  /** moves a finished local file (on the same file system) into place atomically */
  async moveInto(key: string, file: string): Promise<void> {
    const path = this.localPath(key);
    await mkdir(dirname(path), { recursive: true });
    await rename(file, path);
  }

  /** a temporary path beside `key` (its folder made), hidden from readers until `moveInto` renames it */
  async tempFileFor(key: string): Promise<string> {
    const dir = dirname(this.localPath(key));
    await mkdir(dir, { recursive: true });
    return join(dir, `.tmp-${randomBytes(6).toString('hex')}`);
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      return await readFile(this.localPath(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async list(dir: string): Promise<string[]> {
    return (await this.entries(dir)).filter((e) => e.isFile()).map((e) => e.name);
  }

  async listDirs(dir: string): Promise<string[]> {
    return (await this.entries(dir)).filter((e) => e.isDirectory()).map((e) => e.name);
  }

  private async entries(dir: string) {
    try {
      return await readdir(dir === '' ? this.root : this.localPath(dir), { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    await Promise.all(keys.map((k) => rm(this.localPath(k), { force: true })));
  }

  close(): void {}
}

export interface S3LakeOptions {
  bucket: string;
  /** key prefix inside the bucket ("" or ending in "/") */
  prefix: string;
  region: string;
  /** an S3-compatible endpoint (s3rver, MinIO); unset for AWS */
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export class S3LakeStore implements LakeStore {
  readonly kind = 's3';
  readonly client: S3Client;
  private readonly prefix: string;

  constructor(private readonly opts: S3LakeOptions) {
    this.prefix = opts.prefix === '' || opts.prefix.endsWith('/') ? opts.prefix : `${opts.prefix}/`;
    this.client = new S3Client({
      region: opts.region,
      endpoint: opts.endpoint,
      forcePathStyle: opts.endpoint !== undefined,
      credentials: opts.credentials,
      // without these, S3-compatible servers store streamed bodies with checksum framing
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: new NodeHttpHandler({ connectionTimeout: 5000, requestTimeout: 60_000 }),
    });
  }

  get location(): string {
    return `s3://${this.opts.bucket}/${this.prefix}`;
  }

  get bucket(): string {
    return this.opts.bucket;
  }

  /** the full S3 key of a lake key */
  keyOf(key: string): string {
    return this.prefix + checkKey(key);
  }

  async put(key: string, body: Uint8Array | string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.opts.bucket, Key: this.keyOf(key), Body: body }));
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.opts.bucket, Key: this.keyOf(key) }));
      return Buffer.from(await out.Body!.transformToByteArray());
    } catch (err) {
      if (err instanceof NoSuchKey || (err as { name?: string }).name === 'NoSuchKey') return null;
      throw err;
    }
  }

  /** every key under `dir/`, relative to it, paging through listings */
  private async keysUnder(dir: string): Promise<string[]> {
    const base = dir === '' ? this.prefix : `${this.keyOf(dir)}/`;
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.opts.bucket, Prefix: base, ContinuationToken: token }));
      for (const o of page.Contents ?? []) if (o.Key) out.push(o.Key.slice(base.length));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  // listings without a delimiter: s3rver misses deep common prefixes with one
  async list(dir: string): Promise<string[]> {
    return (await this.keysUnder(dir)).filter((k) => !k.includes('/'));
  }

  async listDirs(dir: string): Promise<string[]> {
    const dirs = new Set<string>();
    for (const k of await this.keysUnder(dir)) {
      const i = k.indexOf('/');
      if (i > 0) dirs.add(k.slice(0, i));
    }
    return [...dirs];
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const chunk = keys.slice(i, i + 1000);
      const out = await this.client.send(
        new DeleteObjectsCommand({ Bucket: this.opts.bucket, Delete: { Objects: chunk.map((k) => ({ Key: this.keyOf(k) })), Quiet: true } }),
      );
      if (out.Errors?.length) throw new Error(`S3 refused to delete ${out.Errors.length} objects: ${out.Errors[0].Code} ${out.Errors[0].Message}`);
    }
  }

  close(): void {
    this.client.destroy();
  }
}
