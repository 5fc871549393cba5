// The administration commands of `npm run user:create` and friends (scripts/pulse-admin.ts),
// written once over `Auth`: the CLI runs them itself when it can open the database, and the
// running Pulse runs them for it over its owner-only control socket (./controlSocket.ts) when the
// embedded database belongs to that process.
import { userInfo } from 'node:os';
import { z } from 'zod';
import { createDisplayTokenBodySchema, createKeyBodySchema, createUserBodySchema, emailSchema, type ApiKeyInfo, type DisplayTokenInfo, type UserInfo } from '@/lib/auth';
import type { Actor } from './audit';
import type { Auth } from './createAuth';

const none = z.strictObject({});
const idSchema = z.strictObject({ id: z.string({ error: 'id must be a string' }).trim().min(1, { error: 'id must not be empty' }).max(100, { error: 'id must be at most 100 characters' }) });

/** each command and the arguments it takes (the CLI's flags, validated again by the server) */
export const ADMIN_COMMANDS = {
  'user:create': createUserBodySchema,
  'user:list': none,
  'user:link': z.strictObject({ email: emailSchema }),
  'key:create': createKeyBodySchema,
  'key:list': none,
  'key:revoke': idSchema,
  'display:create': createDisplayTokenBodySchema,
  'display:list': none,
  'display:revoke': idSchema,
} as const;

export type AdminCommand = keyof typeof ADMIN_COMMANDS;
export const ADMIN_COMMAND_NAMES = Object.keys(ADMIN_COMMANDS) as AdminCommand[];
export type AdminArgs<C extends AdminCommand> = z.output<(typeof ADMIN_COMMANDS)[C]>;

export const adminRequestSchema = z.strictObject({
  command: z.enum(ADMIN_COMMAND_NAMES as [AdminCommand, ...AdminCommand[]], { error: `command must be one of ${ADMIN_COMMAND_NAMES.join(', ')}` }),
  args: z.record(z.string(), z.unknown()).optional(),
});

export type AdminResult = { ok: true; message: string; data: unknown } | { ok: false; error: string; /** usage: the request itself was wrong; refused: it was understood and refused */ reason: 'usage' | 'refused' };

/** a readable one-line account of what zod refused */
export function zodMessage(err: z.ZodError): string {
  return err.issues.map((i) => (i.path.length && !i.message.startsWith(String(i.path[0])) ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}

/** checks a command and its arguments; the request as the commands take it, or why not */
export function parseAdminRequest(body: unknown): { ok: true; command: AdminCommand; args: unknown } | { ok: false; error: string } {
  const req = adminRequestSchema.safeParse(body);
  if (!req.success) return { ok: false, error: zodMessage(req.error) };
  const args = ADMIN_COMMANDS[req.data.command].safeParse(req.data.args ?? {});
  if (!args.success) return { ok: false, error: `${req.data.command}: ${zodMessage(args.error)}` };
  return { ok: true, command: req.data.command, args: args.data };
}

/** who did it, in the audit log: the command line, as the OS user running the process that executes it */
export function cliActor(): Actor {
  let name = 'unknown user';
  try {
    name = userInfo().username;
  } catch {
    /* no passwd entry (some containers) */
  }
  return { kind: 'cli', id: null, label: `cli (${name})` };
}

export interface AdminContext {
  actor: Actor;
  /** where people open Pulse (PULSE_PUBLIC_URL, or http://localhost:PORT), for full links; unknown: paths only */
  baseUrl?: string | null;
}

const full = (ctx: AdminContext, path: string) => (ctx.baseUrl ? `${ctx.baseUrl.replace(/\/$/, '')}${path}` : null);

/** runs one command (validated here too: callers may pass what came over the socket) */
export async function runAdminCommand(auth: Auth, ctx: AdminContext, body: unknown): Promise<AdminResult> {
  const parsed = parseAdminRequest(body);
  if (!parsed.ok) return { ok: false, error: parsed.error, reason: 'usage' };
  try {
    return { ok: true, ...(await run(auth, ctx, parsed.command, parsed.args)) };
  } catch (err) {
    // HttpError (conflict, not_found, …) carries a message meant for people; anything else is
    // unexpected but still said rather than swallowed
    const e = err as { name?: string; message?: string };
    return { ok: false, error: e?.name === 'HttpError' ? String(e.message) : `failed: ${String(e?.message ?? err)}`, reason: 'refused' };
  }
}

async function run(auth: Auth, ctx: AdminContext, command: AdminCommand, rawArgs: unknown): Promise<{ message: string; data: unknown }> {
  const { actor } = ctx;
  switch (command) {
    case 'user:create': {
      const a = rawArgs as AdminArgs<'user:create'>;
      const user = await auth.accounts.create(actor, a);
      return { message: `created ${user.role} ${user.email}`, data: { user } };
    }
    case 'user:list': {
      const users = await auth.accounts.list();
      return { message: users.length === 0 ? 'no users yet' : `${users.length} user${users.length === 1 ? '' : 's'}`, data: { users } };
    }
    case 'user:link': {
      const { email } = rawArgs as AdminArgs<'user:link'>;
      const user = (await auth.accounts.list()).find((u: UserInfo) => u.email === email);
      if (!user) throw refused(`no user with the email ${email}: create one first with npm run user:create -- --email ${email} --password '…' --role admin`);
      if (user.disabled) throw refused(`${email} is disabled: a sign-in link would not let them in`);
      const token = await auth.links.create('signin', user.id);
      await auth.audit.record({ actor, action: 'user.link', target: { kind: 'user', id: user.id }, after: { email: user.email, purpose: 'signin' } });
      const path = `/auth/link?token=${token}`;
      return { message: `created a one-time sign-in link for ${user.email} (${user.role}; works once, for 24 hours)`, data: { email: user.email, role: user.role, path, url: full(ctx, path) } };
    }
    case 'key:create': {
      const a = rawArgs as AdminArgs<'key:create'>;
      const { key, secret } = await auth.keys.create(actor, a);
      return { message: `created ${key.kind} key "${key.name}" (${key.prefix}, ${key.rateLimitPerMinute.toLocaleString('en-GB')} requests a minute)`, data: { key, secret } };
    }
    case 'key:list': {
      const keys: ApiKeyInfo[] = await auth.keys.list();
      return { message: keys.length === 0 ? 'no API keys in the database' : `${keys.length} API key${keys.length === 1 ? '' : 's'}`, data: { keys } };
    }
    case 'key:revoke': {
      const { id } = rawArgs as AdminArgs<'key:revoke'>;
      const before = (await auth.keys.list()).find((k) => k.id === id);
      const key = await auth.keys.revoke(actor, id);
      return { message: before?.revokedAt ? `key "${key.name}" (${key.prefix}) was already revoked` : `revoked key "${key.name}" (${key.prefix})`, data: { key } };
    }
    case 'display:create': {
      const { name } = rawArgs as AdminArgs<'display:create'>;
      const { token, link } = await auth.displays.create(actor, name);
      return { message: `created display link "${token.name}" (${token.prefix})`, data: { token, path: link, url: full(ctx, link) } };
    }
    case 'display:list': {
      const tokens: DisplayTokenInfo[] = await auth.displays.list();
      return { message: tokens.length === 0 ? 'no display links' : `${tokens.length} display link${tokens.length === 1 ? '' : 's'}`, data: { tokens } };
    }
    case 'display:revoke': {
      const { id } = rawArgs as AdminArgs<'display:revoke'>;
      const before = (await auth.displays.list()).find((t) => t.id === id);
      const token = await auth.displays.revoke(actor, id);
      return { message: before?.revokedAt ? `display link "${token.name}" (${token.prefix}) was already revoked` : `revoked display link "${token.name}" (${token.prefix})`, data: { token } };
    }
  }
}

function refused(message: string): Error {
  const err = new Error(message);
  err.name = 'HttpError';
  return err;
}
