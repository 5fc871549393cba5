import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { NotificationPayload } from '@/lib/alerting';
import { ChannelError, sendNotification } from '@/server/alerts/channels';
import { Dispatcher, defaultBackoffMs } from '@/server/alerts/dispatcher';
import { newSigningSecret } from '@/server/alerts/signature';
import { openDatabase, type Database } from '@/server/db/database';
import { setLogTap } from '@/server/log';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhookReceiver';

// the outbox on PostgreSQL: rows written by the alert engine are delivered once each, retried
// with the same delivery id, given up with the reason, and never sent twice at once by two
// dispatchers — even when one dies mid-send

let db: Database;
let db2: Database;
let rx: WebhookReceiver;
const secret = newSigningSecret();
let clock = Date.now();
const now = () => clock;
let seq = 0;

beforeAll(async () => {
  db = await openDatabase({ url: process.env.DATABASE_URL!, dataDir: process.env.PULSE_DATA_DIR!, migrate: false });
  // a second process's connection pool, for dispatchers racing
  db2 = await openDatabase({ url: process.env.DATABASE_URL!, dataDir: process.env.PULSE_DATA_DIR!, migrate: false });
});
afterAll(async () => {
  await db?.close();
  await db2?.close();
});
beforeEach(async () => {
  clock = Date.now();
  rx = await startWebhookReceiver({ secret });
  await db.prisma.notification.deleteMany();
  await db.prisma.channel.deleteMany();
  await db.prisma.alert.deleteMany();
});
afterEach(async () => {
  setLogTap(null);
  await rx.close();
});

async function channel(over: { enabled?: boolean; url?: string } = {}) {
  const id = `ch_${++seq}`;
  await db.prisma.channel.create({ data: { id, name: `ops hook ${seq}`, kind: 'webhook', enabled: over.enabled ?? true, config: { url: over.url ?? rx.url }, secret } });
  return id;
}

async function alert() {
  const id = `alt_${++seq}`;
  const at = new Date(clock);
  await db.prisma.alert.create({
    data: { id, ruleName: 'Fraud', ruleKind: 'event', severity: 'critical', dedupKey: `user:u${seq}`, state: 'firing', title: 'Likely fraud', message: 'score 0.97', lifecycle: {}, startedAt: at, lastMatchAt: at, firedAt: at },
  });
  return id;
}

async function notification(channelId: string, alertId: string | null = null) {
  const id = `dlv_${++seq}_${Math.random().toString(36).slice(2, 8)}`;
  const payload: NotificationPayload = {
    deliveryId: id,
    kind: 'firing',
    sentAt: clock,
    alert: alertId
      ? { id: alertId, ruleId: null, ruleName: 'Fraud', severity: 'critical', state: 'firing', title: 'Likely fraud', message: 'score 0.97', value: 0.97, threshold: 0.9, eventId: null, userId: 'u1', productId: null, startedAt: clock, firedAt: clock, resolvedAt: null, url: null }
      : null,
    shop: { currency: 'EUR', timeZone: 'UTC' },
  };
  await db.prisma.notification.create({ data: { id, alertId, channelId, kind: 'firing', payload: payload as object, nextAttemptAt: new Date(clock) } });
  return id;
}

const row = (id: string) => db.prisma.notification.findUniqueOrThrow({ where: { id } });
const timeline = (alertId: string) => db.prisma.alertTimelineEntry.findMany({ where: { alertId }, orderBy: { id: 'asc' } });

describe('alert dispatcher (PostgreSQL outbox)', () => {
  it('delivers a notification once, signed, with the row id as delivery id, and notes it on the alert', async () => {
    const ch = await channel();
    const a = await alert();
    const id = await notification(ch, a);
    const d = new Dispatcher(db.prisma, { now });
    expect(await d.drainOnce()).toEqual({ delivered: 1, retried: 0, failed: 0 });
    expect(await d.drainOnce()).toEqual({ delivered: 0, retried: 0, failed: 0 });
    expect(rx.requests).toHaveLength(1);
    expect(rx.requests[0].verified).toBe(true);
    expect(rx.requests[0].deliveryId).toBe(id);
    expect((rx.requests[0].json as NotificationPayload).deliveryId).toBe(id);
    const r = await row(id);
    expect([r.status, r.attempts, r.lastError]).toEqual(['delivered', 1, null]);
    expect(r.deliveredAt).not.toBeNull();
    const [entry] = await timeline(a);
    expect([entry.kind, entry.comment]).toEqual(['delivered', (await db.prisma.channel.findUniqueOrThrow({ where: { id: ch } })).name]);
  });

  it('fails twice, then succeeds: 3 attempts, the same delivery id, not before the backoff, one unique delivery', async () => {
    rx.respond((_req, n) => ({ status: n <= 2 ? 500 : 200 }));
    const id = await notification(await channel());
    const d = new Dispatcher(db.prisma, { now });
    expect(await d.drainOnce()).toEqual({ delivered: 0, retried: 1, failed: 0 });
    let r = await row(id);
    expect([r.status, r.attempts, r.lastError]).toEqual(['pending', 1, 'webhook answered 500']);
    expect(r.nextAttemptAt.getTime()).toBe(clock + defaultBackoffMs(1));
    // not due yet
    clock += defaultBackoffMs(1) - 1;
    expect(await d.drainOnce()).toEqual({ delivered: 0, retried: 0, failed: 0 });
    clock += 1;
    expect(await d.drainOnce()).toEqual({ delivered: 0, retried: 1, failed: 0 });
    r = await row(id);
    expect(r.nextAttemptAt.getTime()).toBe(clock + defaultBackoffMs(2));
    clock += defaultBackoffMs(2);
    expect(await d.drainOnce()).toEqual({ delivered: 1, retried: 0, failed: 0 });
    r = await row(id);
    expect([r.status, r.attempts]).toEqual(['delivered', 3]);
    expect(rx.requests.map((q) => q.deliveryId)).toEqual([id, id, id]);
    expect(rx.requests.every((q) => q.verified)).toBe(true);
    expect(rx.unique()).toBe(1);
  });

  it('a 400 is given up at once, with the reason on the row and the alert', async () => {
    rx.respond(() => ({ status: 400 }));
    const a = await alert();
    const id = await notification(await channel(), a);
    const d = new Dispatcher(db.prisma, { now });
    expect(await d.drainOnce()).toEqual({ delivered: 0, retried: 0, failed: 1 });
    clock += 3_600_000;
    expect(await d.drainOnce()).toEqual({ delivered: 0, retried: 0, failed: 0 });
    const r = await row(id);
    expect([r.status, r.attempts, r.lastError]).toEqual(['failed', 1, 'webhook answered 400']);
    expect(rx.requests).toHaveLength(1);
    const [entry] = await timeline(a);
    expect(entry.kind).toBe('delivery_failed');
    expect(entry.comment).toContain('webhook answered 400');
  });

  it('gives up after maxAttempts retryable failures', async () => {
    rx.respond(() => ({ status: 503 }));
    const id = await notification(await channel());
    const d = new Dispatcher(db.prisma, { now, maxAttempts: 3, backoffMs: () => 1000 });
    const results = [];
    for (let i = 0; i < 4; i++) {
      results.push(await d.drainOnce());
      clock += 1000;
    }
    expect(results).toEqual([
      { delivered: 0, retried: 1, failed: 0 },
      { delivered: 0, retried: 1, failed: 0 },
      { delivered: 0, retried: 0, failed: 1 },
      { delivered: 0, retried: 0, failed: 0 },
    ]);
    const r = await row(id);
    expect([r.status, r.attempts, r.lastError]).toEqual(['failed', 3, 'webhook answered 503']);
    expect(rx.requests).toHaveLength(3);
  });

  it('a disabled channel fails its rows without sending', async () => {
    const id = await notification(await channel({ enabled: false }));
    expect(await new Dispatcher(db.prisma, { now }).drainOnce()).toEqual({ delivered: 0, retried: 0, failed: 1 });
    expect((await row(id)).lastError).toBe('channel disabled');
    expect(rx.requests).toHaveLength(0);
  });

  it('two dispatchers on separate connections racing send each row exactly once', async () => {
    rx.respond(() => ({ delayMs: 20 }));
    const ch = await channel();
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push(await notification(ch));
    const a = new Dispatcher(db.prisma, { now, batch: 7 });
    const b = new Dispatcher(db2.prisma, { now, batch: 7 });
    const totals = { delivered: 0, retried: 0, failed: 0 };
    for (let round = 0; round < 10; round++) {
      for (const r of await Promise.all([a.drainOnce(), b.drainOnce(), a.drainOnce(), b.drainOnce()])) {
        totals.delivered += r.delivered;
        totals.retried += r.retried;
        totals.failed += r.failed;
      }
    }
    expect(totals).toEqual({ delivered: 30, retried: 0, failed: 0 });
    expect(rx.requests).toHaveLength(30);
    expect(rx.unique()).toBe(30);
    expect(new Set(rx.requests.map((q) => q.deliveryId))).toEqual(new Set(ids));
    const rows = await db.prisma.notification.findMany();
    expect(rows.every((r) => r.status === 'delivered' && r.attempts === 1)).toBe(true);
  });

  it('a dispatcher abandoned mid-send: another resends after the backoff, with the same delivery id', async () => {
    rx.respond((_req, n) => (n === 1 ? { hang: true } : { status: 200 }));
    const a = await alert();
    const id = await notification(await channel(), a);
    const timeoutMs = 30_000;
    const first = new Dispatcher(db.prisma, { now, timeoutMs });
    const abandoned = first.drainOnce();
    await rx.waitFor(1);
    const second = new Dispatcher(db2.prisma, { now, timeoutMs });
    // claimed by the first: not sent again while its attempt may still be running
    expect(await second.drainOnce()).toEqual({ delivered: 0, retried: 0, failed: 0 });
    clock += timeoutMs + defaultBackoffMs(1) - 1;
    expect(await second.drainOnce()).toEqual({ delivered: 0, retried: 0, failed: 0 });
    clock += 1;
    expect(await second.drainOnce()).toEqual({ delivered: 1, retried: 0, failed: 0 });
    expect(rx.requests.map((q) => q.deliveryId)).toEqual([id, id]);
    expect(rx.unique()).toBe(1);
    let r = await row(id);
    expect([r.status, r.attempts]).toEqual(['delivered', 2]);
    // the first one's connection breaks now; what it records late changes nothing
    await rx.close();
    expect(await abandoned).toEqual({ delivered: 0, retried: 0, failed: 0 });
    r = await row(id);
    expect([r.status, r.attempts, r.lastError]).toEqual(['delivered', 2, null]);
    expect((await timeline(a)).map((e) => e.kind)).toEqual(['delivered']);
    rx = await startWebhookReceiver({ secret }); // for afterEach
  });

  it('kick() drains at once, coalesced: never two drains (or sends) at once in one dispatcher', async () => {
    const ch = await channel();
    for (let i = 0; i < 5; i++) await notification(ch);
    let inFlight = 0;
    let maxInFlight = 0;
    let sent = 0;
    const send: typeof sendNotification = async (...args) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        await new Promise((r) => setTimeout(r, 20));
        await sendNotification(...args);
        sent++;
      } finally {
        inFlight--;
      }
    };
    const d = new Dispatcher(db.prisma, { now, send, batch: 1, idlePollMs: 60_000 });
    for (let i = 0; i < 10; i++) d.kick();
    const until = Date.now() + 10_000;
    while (sent < 5 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    await d.stop();
    expect(sent).toBe(5);
    expect(maxInFlight).toBe(1);
    expect(rx.unique()).toBe(5);
  });

  it('start() polls for rows written later; stop() ends it', async () => {
    const d = new Dispatcher(db.prisma, { idlePollMs: 50 });
    d.start();
    const ch = await channel();
    clock = Date.now();
    await notification(ch);
    await rx.waitFor(1, 5000);
    await d.stop();
    await notification(ch);
    await new Promise((r) => setTimeout(r, 200));
    expect(rx.requests).toHaveLength(1);
  });

  it('logs failures with the channel name and id, never its URL or secret', async () => {
    const lines: string[] = [];
    setLogTap((l) => lines.push(l));
    const url = `${rx.url}?token=very-secret-token`;
    rx.respond(() => ({ status: 500 }));
    const ch = await channel({ url });
    await notification(ch);
    const unexpected = new Dispatcher(db.prisma, {
      now,
      send: async () => {
        throw new Error(`boom at ${url} with ${secret}`);
      },
    });
    await new Dispatcher(db.prisma, { now }).drainOnce();
    clock += 60_000;
    await unexpected.drainOnce();
    const text = lines.join('');
    expect(text).toContain(ch);
    expect(text).toContain('webhook answered 500');
    expect(text).not.toContain('very-secret-token');
    expect(text).not.toContain('127.0.0.1');
    expect(text).not.toContain(secret);
    const r = await db.prisma.notification.findFirstOrThrow({ where: { channelId: ch } });
    expect(r.lastError).toBe('unexpected error (Error)');
    expect(r.lastError).not.toContain('very-secret-token');
  });

  it('a ChannelError from a custom sender is classified as it says', async () => {
    const id = await notification(await channel());
    const d = new Dispatcher(db.prisma, { now, send: async () => { throw new ChannelError('nope', false); } });
    expect(await d.drainOnce()).toEqual({ delivered: 0, retried: 0, failed: 1 });
    expect((await row(id)).lastError).toBe('nope');
  });
});
