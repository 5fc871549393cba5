import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDuckDB, sqlPath } from '@/server/lake/parquet';
import { drained, startPulse } from '../helpers/pulse';

/**
 * MASK_PROPERTY_KEYS end to end: an event with an e-mail address, a phone number and an IP
 * address in its properties goes through a real Pulse (embedded log, live store and lake in
 * its data folder). The lake keeps the properties with those values masked, and no file in
 * the data folder holds the originals — while an unmasked marker sent beside them is found
 * by the same byte search, so the search can see what is stored.
 */

let dataDir: string;
let duck: Awaited<ReturnType<typeof openDuckDB>>;
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'pulse-masking-'));
  duck = await openDuckDB();
});
afterAll(() => {
  duck.connection.closeSync();
  duck.instance.closeSync();
  rmSync(dataDir, { recursive: true, force: true });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const MARKER = 'kept-visible-7f3a9c';

describe('masking of property keys', () => {
  it('what is stored has the masked values, and the originals are in no file of the data folder', async () => {
    const p = await startPulse({ PULSE_DATA_DIR: dataDir, LAKE_FLUSH_INTERVAL_MS: '600000' });
    const sent = {
      timestamp: new Date(Date.now() - 60_000).toISOString(),
      user_id: 'masking-user',
      session_id: 'masking-session',
      event_type: 'add_to_cart',
      properties: { email: 'a@b.c', nested: { Phone: '123' }, items: [{ product_id: 'p1', ip: '1.2.3.4' }], note: MARKER },
    };
    let closed = false;
    try {
      const r = await p.post(sent);
      expect(r.status, JSON.stringify(r.body)).toBe(202);
      expect(r.body.accepted).toBe(1);
      await drained(p.pulse);
    } finally {
      // a clean stop writes the lake (and closes the embedded stores' files)
      await p.close();
      closed = true;
    }
    expect(closed).toBe(true);

    const parquet = filesUnder(join(dataDir, 'lake')).filter((f) => f.endsWith('.parquet'));
    expect(parquet.length).toBeGreaterThan(0);
    const read = await duck.connection.runAndReadAll(
      `SELECT properties_json FROM read_parquet([${parquet.map(sqlPath).join(', ')}]) WHERE user_id = 'masking-user'`,
    );
    const rows = read.getRowObjectsJson() as { properties_json: string }[];
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0].properties_json)).toEqual({
      email: '[masked]',
      nested: { Phone: '[masked]' },
      items: [{ product_id: 'p1', ip: '[masked]' }],
      note: MARKER,
    });

    const files = filesUnder(dataDir);
    const holding = (text: string) => files.filter((f) => readFileSync(f).includes(Buffer.from(text)));
    expect(holding(MARKER).length, 'the unmasked marker is stored somewhere the search sees').toBeGreaterThan(0);
    expect(holding('a@b.c')).toEqual([]);
    expect(holding('1.2.3.4')).toEqual([]);
    expect(holding('"Phone":"123"')).toEqual([]);
  });
});
