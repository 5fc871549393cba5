// Sends one notification to one channel, once: a signed webhook POST, a Slack incoming-webhook
// message, or an SNS Publish. Retrying is the dispatcher's job (server/alerts/dispatcher.ts);
// this says whether a failure is worth retrying (ChannelError.retryable).
//
// Error messages are shown to admins and written to logs: they never contain the channel's URL
// (a Slack or webhook URL is a credential of its own), its secret, or the body.
import { PublishCommand, SNSClient, type MessageAttributeValue, type PublishCommandInput } from '@aws-sdk/client-sns';
import type { ChannelConfig, NotificationPayload } from '@/lib/alerting';
import { signatureHeader } from './signature';

export class ChannelError extends Error {
  readonly retryable: boolean;
  constructor(message: string, retryable: boolean) {
    super(message);
    this.name = 'ChannelError';
    this.retryable = retryable;
  }
}

export interface ChannelTarget {
  id: string;
  name: string;
  kind: 'webhook' | 'slack' | 'sns';
  config: ChannelConfig;
  secret: string | null;
}

export interface SendOptions {
  /** one attempt's limit: no answer (status line and headers) within it is a retryable failure */
  timeoutMs: number;
  /** the SNS client for a region (tests pass a mocked one); default: new SNSClient({ region }) */
  sns?: (region: string) => SNSClient;
  /** the clock the signature's timestamp comes from (default Date.now) */
  now?: () => number;
}

export const USER_AGENT = 'Pulse-Alerts/1';

/** "5 s", "1.5 s", "250 ms" */
function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : Number(s.toFixed(1))} s`;
}

/** 2xx: delivered; 408, 429, 5xx: retryable; anything else (other 4xx, 3xx, 1xx): not */
function classifyStatus(what: string, status: number): void {
  if (status >= 200 && status < 300) return;
  if (status >= 300 && status < 400) throw new ChannelError(`${what} answered ${status} (a redirect; redirects are not followed)`, false);
  const retryable = status === 408 || status === 429 || status >= 500;
  throw new ChannelError(`${what} answered ${status}`, retryable);
}

/** a network-level error's code (ECONNREFUSED, ENOTFOUND, …), never its message (it may name the host) */
function networkCode(err: unknown): string {
  let e: unknown = err;
  for (let i = 0; i < 4 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return 'network error';
}

async function postJson(what: string, url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<void> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...headers },
      body,
      redirect: 'manual',
      signal: controller.signal,
    });
  } catch (err) {
    if (timedOut) throw new ChannelError(`${what}: no answer within ${formatDuration(timeoutMs)}`, true);
    throw new ChannelError(`${what} could not be reached (${networkCode(err)})`, true);
  } finally {
    clearTimeout(timer);
  }
  // the answer's body is not needed: release the connection
  await res.body?.cancel().catch(() => {});
  classifyStatus(what, res.status);
}

// ───────────────────────────── webhook ─────────────────────────────

async function sendWebhook(channel: ChannelTarget, url: string, payload: NotificationPayload, opts: SendOptions): Promise<void> {
  if (!channel.secret) throw new ChannelError('webhook has no signing secret', false);
  const body = JSON.stringify(payload);
  const now = (opts.now ?? Date.now)();
  await postJson('webhook', url, body, {
    'pulse-delivery-id': payload.deliveryId,
    'pulse-event': payload.kind,
    'pulse-signature': signatureHeader(channel.secret, body, Math.floor(now / 1000)),
  }, opts.timeoutMs);
}

// ───────────────────────────── Slack ─────────────────────────────

/** Slack's mrkdwn control characters (https://api.slack.com/reference/surfaces/formatting#escaping) */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const SEVERITY_MARKER: Record<string, string> = { critical: ':red_circle:', warning: ':warning:', info: ':information_source:' };

/** the Slack message's text (mrkdwn) for a payload */
export function slackText(payload: NotificationPayload): string {
  const a = payload.alert;
  if (!a) return ':white_check_mark: *Pulse test notification*\nThis channel receives Pulse alerts.';
  const marker = payload.kind === 'resolved' || a.state === 'resolved' ? ':white_check_mark:' : (SEVERITY_MARKER[a.severity] ?? ':bell:');
  const prefix = payload.kind === 'resolved' ? 'Resolved: ' : payload.kind === 'renotify' ? 'Still firing: ' : payload.kind === 'test' ? 'Test: ' : '';
  const lines = [
    `${marker} *${slackEscape(prefix + a.title)}*`,
    ...(a.message ? [slackEscape(a.message)] : []),
    `State: ${slackEscape(a.state)} · Severity: ${slackEscape(a.severity)} · Rule: ${slackEscape(a.ruleName)}`,
  ];
  if (a.url) lines.push(`<${slackEscape(a.url).replace(/\|/g, '%7C')}|Open in Pulse>`);
  return lines.join('\n');
}

async function sendSlack(url: string, payload: NotificationPayload, opts: SendOptions): Promise<void> {
  await postJson('Slack', url, JSON.stringify({ text: slackText(payload), mrkdwn: true }), {}, opts.timeoutMs);
}

// ───────────────────────────── SNS ─────────────────────────────

/** at most 99 printable ASCII characters (SNS: "less than 100", no line breaks or control characters) */
export function snsSubject(payload: NotificationPayload): string {
  const a = payload.alert;
  const raw = a
    ? `[${a.severity.toUpperCase()}] ${payload.kind === 'resolved' ? 'Resolved: ' : payload.kind === 'renotify' ? 'Still firing: ' : ''}${a.title}`
    : 'Pulse test notification';
  const ascii = raw
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/[^\x20-\x7e]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  let subject = ascii.length > 99 ? `${ascii.slice(0, 96).trimEnd()}...` : ascii;
  if (!/^[A-Za-z0-9\p{P}]/u.test(subject)) subject = `Pulse ${subject}`.slice(0, 99).trim();
  return subject || 'Pulse alert';
}

/** the PublishCommand input for a payload (exported for tests and the API's "send a test") */
export function snsPublishInput(topicArn: string, payload: NotificationPayload): PublishCommandInput {
  const attr = (v: string): MessageAttributeValue => ({ DataType: 'String', StringValue: v });
  const attributes: Record<string, MessageAttributeValue> = {
    'pulse.delivery_id': attr(payload.deliveryId),
    'pulse.kind': attr(payload.kind),
  };
  if (payload.alert) attributes['pulse.severity'] = attr(payload.alert.severity);
  const input: PublishCommandInput = {
    TopicArn: topicArn,
    Subject: snsSubject(payload),
    Message: JSON.stringify(payload),
    MessageAttributes: attributes,
  };
  if (topicArn.endsWith('.fifo')) {
    input.MessageGroupId = payload.alert?.ruleId ?? 'pulse';
    input.MessageDeduplicationId = payload.deliveryId;
  }
  return input;
}

const SNS_THROTTLING = new Set(['Throttling', 'ThrottlingException', 'ThrottledException', 'TooManyRequestsException', 'RequestThrottled', 'RequestLimitExceeded', 'KMSThrottlingException', 'ServiceUnavailable', 'InternalError', 'InternalFailure', 'RequestTimeout', 'RequestTimeoutException', 'TimeoutError']);

function snsError(err: unknown, timedOut: boolean, timeoutMs: number): ChannelError {
  if (timedOut) return new ChannelError(`SNS: no answer within ${formatDuration(timeoutMs)}`, true);
  const e = (err ?? {}) as { name?: unknown; $metadata?: { httpStatusCode?: number }; $retryable?: unknown; $fault?: unknown };
  const name = typeof e.name === 'string' && /^[A-Za-z0-9_.:-]{1,80}$/.test(e.name) ? e.name : 'Error';
  const status = e.$metadata?.httpStatusCode;
  if (status === undefined && !e.$fault) {
    // no answer from AWS: a network error, or the client gave up (credentials not found, …)
    if (SNS_THROTTLING.has(name)) return new ChannelError(`SNS refused the message (${name})`, true);
    const code = networkCode(err);
    return new ChannelError(`SNS could not be reached (${code !== 'network error' ? code : name})`, true);
  }
  const retryable = SNS_THROTTLING.has(name) || Boolean(e.$retryable) || (status !== undefined && (status >= 500 || status === 429 || status === 408)) || e.$fault === 'server';
  return new ChannelError(`SNS refused the message (${name}${status ? `, ${status}` : ''})`, retryable);
}

async function sendSns(topicArn: string, region: string, payload: NotificationPayload, opts: SendOptions): Promise<void> {
  const client = opts.sns ? opts.sns(region) : new SNSClient({ region });
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, opts.timeoutMs);
  try {
    await client.send(new PublishCommand(snsPublishInput(topicArn, payload)), { abortSignal: controller.signal });
  } catch (err) {
    throw snsError(err, timedOut, opts.timeoutMs);
  } finally {
    clearTimeout(timer);
    if (!opts.sns) client.destroy();
  }
}

// ───────────────────────────── one notification ─────────────────────────────

/** one attempt to deliver payload to channel; resolves when it was accepted, else throws ChannelError */
export async function sendNotification(channel: ChannelTarget, payload: NotificationPayload, opts: SendOptions): Promise<void> {
  const config = channel.config;
  if (config.kind !== channel.kind) throw new ChannelError(`channel config is for ${String(config.kind)}, not ${channel.kind}`, false);
  switch (config.kind) {
    case 'webhook':
      return sendWebhook(channel, config.url, payload, opts);
    case 'slack':
      return sendSlack(config.url, payload, opts);
    case 'sns':
      return sendSns(config.topicArn, config.region, payload, opts);
    default:
      throw new ChannelError(`unknown channel kind ${String((config as { kind?: unknown }).kind)}`, false);
  }
}
