import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthorizationErrorException, InternalErrorException, NotFoundException, PublishCommand, SNSClient, ThrottledException } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationPayload } from '@/lib/alerting';
import { ChannelError, sendNotification, type ChannelTarget } from '@/server/alerts/channels';
import { newSigningSecret } from '@/server/alerts/signature';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhookReceiver';

const payload = (over: Partial<NotificationPayload> = {}, alert: Partial<NonNullable<NotificationPayload['alert']>> = {}): NotificationPayload => ({
  deliveryId: `dlv_${Math.random().toString(36).slice(2)}`,
  kind: 'firing',
  sentAt: Date.now(),
  alert: {
    id: 'alt_1',
    ruleId: 'rule_fraud',
    ruleName: 'Fraud',
    severity: 'critical',
    state: 'firing',
    title: 'Likely fraud by user u-1',
    message: 'fraud score 0.97 > 0.9',
    value: 0.97,
    threshold: 0.9,
    eventId: 'e1',
    userId: 'u-1',
    productId: null,
    startedAt: Date.now(),
    firedAt: Date.now(),
    resolvedAt: null,
    url: 'https://pulse.example/alerts/alt_1',
    ...alert,
  },
  shop: { currency: 'EUR', timeZone: 'Europe/Berlin' },
  ...over,
});

async function failure(p: Promise<unknown>): Promise<ChannelError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ChannelError);
    return err as ChannelError;
  }
  throw new Error('expected the send to fail');
}

describe('webhook channel', () => {
  const secret = newSigningSecret();
  let rx: WebhookReceiver;
  let channel: ChannelTarget;
  beforeAll(async () => {
    rx = await startWebhookReceiver({ secret });
    channel = { id: 'ch_hook', name: 'ops hook', kind: 'webhook', config: { kind: 'webhook', url: rx.url }, secret };
  });
  afterAll(() => rx.close());
  afterEach(() => rx.respond(() => ({ status: 200 })));

  it('POSTs the payload as JSON with the Pulse headers and a signature that verifies', async () => {
    const p = payload();
    await sendNotification(channel, p, { timeoutMs: 5000 });
    const r = rx.requests.at(-1)!;
    expect(r.method).toBe('POST');
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['user-agent']).toBe('Pulse-Alerts/1');
    expect(r.headers['pulse-delivery-id']).toBe(p.deliveryId);
    expect(r.headers['pulse-event']).toBe('firing');
    expect(r.headers['pulse-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(r.verified).toBe(true);
    expect(r.json).toEqual(p);
  });

  it('signs each attempt with its own timestamp (the clock it is given)', async () => {
    const p = payload();
    await sendNotification(channel, p, { timeoutMs: 5000, now: () => Date.now() - 10_000 });
    await sendNotification(channel, p, { timeoutMs: 5000 });
    const [a, b] = rx.requests.slice(-2).map((r) => Number(/t=(\d+)/.exec(String(r.headers['pulse-signature']))![1]));
    expect(b - a).toBeGreaterThanOrEqual(9);
    expect(rx.requests.slice(-2).every((r) => r.verified)).toBe(true);
    // signed with a clock far off, the receiver refuses it
    await sendNotification(channel, p, { timeoutMs: 5000, now: () => Date.now() - 3_600_000 });
    expect(rx.requests.at(-1)!.verified).toBe(false);
  });

  it('500, 503, 429 and 408 are retryable; 400, 401, 404 and 410 are not', async () => {
    for (const [status, retryable] of [[500, true], [503, true], [429, true], [408, true], [400, false], [401, false], [404, false], [410, false]] as const) {
      rx.respond(() => ({ status }));
      const err = await failure(sendNotification(channel, payload(), { timeoutMs: 5000 }));
      expect([status, err.retryable]).toEqual([status, retryable]);
      expect(err.message).toBe(`webhook answered ${status}`);
      expect(err.message).not.toContain('127.0.0.1');
    }
  });

  it('no answer within the timeout is retryable, said in seconds', async () => {
    rx.respond(() => ({ hang: true }));
    const started = Date.now();
    const err = await failure(sendNotification(channel, payload(), { timeoutMs: 300 }));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(err.retryable).toBe(true);
    expect(err.message).toBe('webhook: no answer within 300 ms');
    rx.respond(() => ({ delayMs: 2000 }));
    expect((await failure(sendNotification(channel, payload(), { timeoutMs: 1000 }))).message).toBe('webhook: no answer within 1 s');
  });

  it('a redirect is not followed and not retried', async () => {
    const target = await startWebhookReceiver({ secret });
    try {
      rx.respond(() => ({ status: 302, headers: { location: target.url } }));
      const err = await failure(sendNotification(channel, payload(), { timeoutMs: 5000 }));
      expect(err.retryable).toBe(false);
      expect(err.message).toMatch(/^webhook answered 302/);
      await new Promise((r) => setTimeout(r, 100));
      expect(target.requests).toHaveLength(0);
    } finally {
      await target.close();
    }
  });

  it('a receiver that cannot be reached is retryable, without its address in the message', async () => {
    const closed = await startWebhookReceiver({ secret });
    const url = closed.url;
    await closed.close();
    const err = await failure(sendNotification({ ...channel, config: { kind: 'webhook', url } }, payload(), { timeoutMs: 5000 }));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/^webhook could not be reached \(ECONNREFUSED\)$/);
  });
});

describe('Slack channel', () => {
  let bodies: string[] = [];
  let status = 200;
  let url = '';
  const server = createServer((req, res) => {
    let b = '';
    req.on('data', (c) => (b += c));
    req.on('end', () => {
      bodies.push(b);
      res.writeHead(status).end('ok');
    });
  });
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T/B/x`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  const slack = (): ChannelTarget => ({ id: 'ch_slack', name: 'ops slack', kind: 'slack', config: { kind: 'slack', url }, secret: null });

  it('posts { text } in mrkdwn with severity, title, message, state and link, escaping &, < and >', async () => {
    bodies = [];
    await sendNotification(slack(), payload({}, { title: 'Fraud <script> & co', message: 'score > 0.9 <@U123>' }), { timeoutMs: 5000 });
    const body = JSON.parse(bodies[0]);
    expect(Object.keys(body)).toContain('text');
    const text: string = body.text;
    expect(text).toContain(':red_circle:');
    expect(text).toContain('*Fraud &lt;script&gt; &amp; co*');
    expect(text).toContain('score &gt; 0.9 &lt;@U123&gt;');
    expect(text).not.toMatch(/<script>|<@U123>/);
    expect(text).toContain('firing');
    expect(text).toContain('<https://pulse.example/alerts/alt_1|Open in Pulse>');
  });

  it('leaves the link out when the alert has no page; a test payload without alert still says something', async () => {
    bodies = [];
    await sendNotification(slack(), payload({}, { url: null, severity: 'warning' }), { timeoutMs: 5000 });
    await sendNotification(slack(), payload({ kind: 'test', alert: null }), { timeoutMs: 5000 });
    expect(JSON.parse(bodies[0]).text).not.toContain('Open in Pulse');
    expect(JSON.parse(bodies[0]).text).toContain(':warning:');
    expect(JSON.parse(bodies[1]).text).toMatch(/test/i);
  });

  it('classifies answers like webhooks', async () => {
    status = 500;
    const e500 = await failure(sendNotification(slack(), payload(), { timeoutMs: 5000 }));
    expect([e500.retryable, e500.message]).toEqual([true, 'Slack answered 500']);
    status = 404;
    const e404 = await failure(sendNotification(slack(), payload(), { timeoutMs: 5000 }));
    expect([e404.retryable, e404.message]).toEqual([false, 'Slack answered 404']);
    expect(e404.message).not.toContain('/services/');
    status = 200;
  });
});

describe('SNS channel', () => {
  const sns = mockClient(SNSClient);
  const client = new SNSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const regions: string[] = [];
  const opts = { timeoutMs: 5000, sns: (region: string) => (regions.push(region), client) };
  const topic = (name = 'pulse-alerts'): ChannelTarget => ({ id: 'ch_sns', name: 'ops sns', kind: 'sns', config: { kind: 'sns', topicArn: `arn:aws:sns:eu-west-1:123456789012:${name}`, region: 'eu-west-1' }, secret: null });
  afterEach(() => sns.reset());
  afterAll(() => sns.restore());

  it('publishes to a standard topic: subject, the payload as JSON, attributes, no FIFO fields', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm1' });
    const p = payload({}, { title: 'Ünïcode — fraud\nby 用户 u-1' + ' very long'.repeat(20) });
    await sendNotification(topic(), p, opts);
    expect(regions.at(-1)).toBe('eu-west-1');
    const calls = sns.commandCalls(PublishCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0].args[0].input;
    expect(input.TopicArn).toBe('arn:aws:sns:eu-west-1:123456789012:pulse-alerts');
    expect(JSON.parse(input.Message!)).toEqual(p);
    expect(input.Subject!.length).toBeLessThanOrEqual(100);
    expect(input.Subject).toMatch(/^[\x20-\x7e]+$/);
    expect(input.Subject).toMatch(/^\[CRITICAL\] Unicode - fraud by u-1 very long/);
    expect(input.Subject).not.toMatch(/\s{2}/);
    expect(input.MessageAttributes).toEqual({
      'pulse.delivery_id': { DataType: 'String', StringValue: p.deliveryId },
      'pulse.severity': { DataType: 'String', StringValue: 'critical' },
      'pulse.kind': { DataType: 'String', StringValue: 'firing' },
    });
    expect(input.MessageGroupId).toBeUndefined();
    expect(input.MessageDeduplicationId).toBeUndefined();
  });

  it('a .fifo topic gets MessageGroupId (the rule, else pulse) and MessageDeduplicationId = delivery id', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm2', SequenceNumber: '1' });
    const p = payload();
    await sendNotification(topic('pulse-alerts.fifo'), p, opts);
    const test = payload({ kind: 'test', alert: null });
    await sendNotification(topic('pulse-alerts.fifo'), test, opts);
    const [a, b] = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect([a.MessageGroupId, a.MessageDeduplicationId]).toEqual(['rule_fraud', p.deliveryId]);
    expect([b.MessageGroupId, b.MessageDeduplicationId]).toEqual(['pulse', test.deliveryId]);
    expect(b.Subject).toBe('Pulse test notification');
    expect(b.MessageAttributes!['pulse.kind'].StringValue).toBe('test');
  });

  it('throttling, 5xx and network errors are retryable; missing topics and refused access are not', async () => {
    const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });
    const cases: Array<[Error, boolean]> = [
      [new ThrottledException({ message: 'slow down', ...meta(400) }), true],
      [Object.assign(new Error('Rate exceeded'), { name: 'Throttling', ...meta(400) }), true],
      [new InternalErrorException({ message: 'oops', ...meta(500) }), true],
      [Object.assign(new Error('bad gateway'), { name: 'Unknown', ...meta(502) }), true],
      [Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' }), true],
      [new NotFoundException({ message: 'Topic does not exist', ...meta(404) }), false],
      [new AuthorizationErrorException({ message: 'not allowed', ...meta(403) }), false],
    ];
    for (const [error, retryable] of cases) {
      sns.reset();
      sns.on(PublishCommand).rejects(error);
      const err = await failure(sendNotification(topic(), payload(), opts));
      expect([error.name, err.retryable]).toEqual([error.name, retryable]);
      expect(err.message).toMatch(/^SNS /);
      expect(err.message).not.toContain('10.0.0.1');
    }
  });
});
