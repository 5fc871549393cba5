// npm run user:create | user:list | user:link | key:create | key:list | key:revoke |
//         display:create | display:list | display:revoke  -- [flags]
//
// Where the command runs:
//   DATABASE_URL set            → on that PostgreSQL database, from this process
//   else a Pulse is running     → the running Pulse does it (it owns the embedded database and
//                                 answers on <PULSE_DATA_DIR>/pulse-control.sock, owner-only)
//   else                        → on the embedded database in PULSE_DATA_DIR, from this process
// Exit codes: 0 done, 1 refused (the reason is printed), 2 wrong command or flags.
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { ADMIN_COMMAND_NAMES, ADMIN_COMMANDS, cliActor, zodMessage, type AdminCommand, type AdminResult } from '../server/auth/adminCommands';
import { askControlSocket, controlSocketPath } from '../server/auth/controlSocket';
import type { ApiKeyInfo, DisplayTokenInfo, UserInfo } from '../lib/auth';

export const ADMIN_USAGE = `Usage: npm run <command> -- [flags]      (or: node --import tsx scripts/pulse-admin.ts <command> [flags])

Users
  user:create    --email a@b.c --password '…' --role viewer|analyst|admin
                 (passwords: at least 12 characters; --password - reads it from standard input)
  user:list
  user:link      --email a@b.c      a one-time sign-in link for that user (24 hours)
API keys
  key:create     --name NAME --kind publishable|secret [--rate-limit-per-minute N]
                 publishable: may only send events (safe in shop pages); secret: may also set
                 inventory and call the admin API. The key is shown once.
  key:list
  key:revoke     --id ID
Wall displays
  display:create --name NAME        a read-only link for a TV (shown once)
  display:list
  display:revoke --id ID

Where it runs: with DATABASE_URL on that PostgreSQL database; otherwise a running Pulse
(embedded mode) is asked over its owner-only socket <PULSE_DATA_DIR>/pulse-control.sock;
otherwise the embedded database in PULSE_DATA_DIR (default ./data) is opened directly.
Links use PULSE_PUBLIC_URL, else http://localhost:$PORT (default 3000).

Exit codes: 0 done, 1 refused (with the reason), 2 wrong command or flags.`;

type Env = Record<string, string | undefined>;

const FLAGS: Record<AdminCommand, string[]> = {
  'user:create': ['email', 'password', 'role'],
  'user:list': [],
  'user:link': ['email'],
  'key:create': ['name', 'kind', 'rate-limit-per-minute'],
  'key:list': [],
  'key:revoke': ['id'],
  'display:create': ['name'],
  'display:list': [],
  'display:revoke': ['id'],
};

export class UsageError extends Error {}

/** the command and its arguments from argv, checked with the same schemas the server uses */
export function parseCommandLine(argv: string[]): { help: true } | { help: false; command: AdminCommand; args: Record<string, unknown> } {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') return { help: true };
  if (!(ADMIN_COMMAND_NAMES as string[]).includes(name)) throw new UsageError(`unknown command "${name}": use one of ${ADMIN_COMMAND_NAMES.join(', ')}`);
  const command = name as AdminCommand;
  const allowed = FLAGS[command];
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: { help: { type: 'boolean', short: 'h' }, ...Object.fromEntries(allowed.map((f) => [f, { type: 'string' as const }])) },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    const msg = (err as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new UsageError(`${command}: ${msg}${allowed.length ? ` (it takes ${allowed.map((f) => `--${f}`).join(', ')})` : ' (it takes no flags)'}`);
  }
  if (values.help) return { help: true };
  const args: Record<string, unknown> = {};
  for (const f of allowed) {
    const v = values[f];
    if (v === undefined) continue;
    if (f === 'rate-limit-per-minute') {
      const n = Number(v);
      if (!/^\s*\d+\s*$/.test(String(v))) throw new UsageError(`${command}: --rate-limit-per-minute must be a whole number, got "${v}"`);
      args.rateLimitPerMinute = n;
    } else args[f] = v;
  }
  const checked = ADMIN_COMMANDS[command].safeParse(args);
  if (!checked.success) {
    const missing = allowed.filter((f) => f !== 'rate-limit-per-minute' && values[f] === undefined);
    throw new UsageError(`${command}: ${missing.length ? `missing ${missing.map((f) => `--${f}`).join(', ')}` : zodMessage(checked.error)}`);
  }
  return { help: false, command, args };
}

export type Via = { kind: 'socket'; pid: number | null } | { kind: 'postgres'; describe: string } | { kind: 'embedded'; describe: string };
export type AdminOutcome = { result: AdminResult; via: Via | null };

/** where people open Pulse, for the links the commands print */
export function baseUrlFrom(env: Env): string {
  return env.PULSE_PUBLIC_URL?.trim().replace(/\/$/, '') || `http://localhost:${env.PORT?.trim() || '3000'}`;
}

/** runs one (already checked) command where it can run: PostgreSQL, the running Pulse, or the embedded database */
export async function runAdmin(command: AdminCommand, args: Record<string, unknown>, env: Env = process.env): Promise<AdminOutcome> {
  const url = env.DATABASE_URL?.trim() || undefined;
  const dataDir = env.PULSE_DATA_DIR?.trim() || './data';
  if (!url) {
    const answer = await askControlSocket(controlSocketPath(dataDir), { command, args });
    if (!('unreachable' in answer)) {
      // the running Pulse knows its own port; PULSE_PUBLIC_URL here still wins for what is printed
      return { result: answer, via: { kind: 'socket', pid: answer.pid } };
    }
  }
  // this process opens the database itself: loaded only now (PGlite and Prisma take a moment)
  const [{ openDatabase, DatabaseLockedError }, { createAuth }, { createOriginPolicy }, { loadConfig }, { runAdminCommand }] = await Promise.all([
    import('../server/db/database'),
    import('../server/auth/createAuth'),
    import('../server/auth/origins'),
    import('../server/config'),
    import('../server/auth/adminCommands'),
  ]);
  // only what the commands need: the rest of the environment is the server's business
  const config = loadConfig({ PULSE_DATA_DIR: dataDir, PULSE_UI: 'off', ...(url ? { DATABASE_URL: url } : {}) });
  let db;
  try {
    db = await openDatabase({ url, dataDir });
  } catch (err) {
    if (err instanceof DatabaseLockedError) {
      return {
        result: {
          ok: false,
          reason: 'refused',
          error:
            `the embedded database in ${dataDir} belongs to a running Pulse (pid ${err.pid}), which did not answer on its control socket ${controlSocketPath(dataDir)}: ` +
            'it may still be starting (try again in a few seconds), or it was started with another PULSE_DATA_DIR or as another OS user',
        },
        via: null,
      };
    }
    return { result: { ok: false, reason: 'refused', error: `could not open the database: ${(err as Error).message}` }, via: null };
  }
  const via: Via = { kind: db.kind, describe: db.describe };
  try {
    const auth = await createAuth(db, config, createOriginPolicy({ publicUrl: config.PULSE_PUBLIC_URL, allowed: config.READ_ALLOWED_ORIGINS, trustProxy: config.TRUST_PROXY }));
    try {
      return { result: await runAdminCommand(auth, { actor: cliActor(), baseUrl: baseUrlFrom(env) }, { command, args }), via };
    } finally {
      await auth.close();
    }
  } finally {
    await db.close();
  }
}

const VERB: Record<AdminCommand, string> = {
  'user:create': 'create the user',
  'user:list': 'list the users',
  'user:link': 'make a sign-in link',
  'key:create': 'create the key',
  'key:list': 'list the keys',
  'key:revoke': 'revoke the key',
  'display:create': 'create the display link',
  'display:list': 'list the display links',
  'display:revoke': 'revoke the display link',
};

const when = (iso: string | null) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : 'never');

/** what happened, in plain words, for the terminal */
export function describeOutcome(command: AdminCommand, { result, via }: AdminOutcome, env: Env = process.env): string[] {
  const lines: string[] = [];
  if (via?.kind === 'socket') lines.push(`asked the running Pulse (pid ${via.pid ?? '?'}) to ${VERB[command]}`);
  else if (via) lines.push(`opened the ${via.describe} directly${via.kind === 'embedded' ? ' (no Pulse is running on it)' : ''}`);
  if (!result.ok) {
    lines.push(`refused: ${result.error}`);
    return lines;
  }
  lines.push(result.message);
  const data = result.data as Record<string, any>;
  const base = baseUrlFrom(env);
  const link = (path: string) => (env.PULSE_PUBLIC_URL || via?.kind !== 'socket' || !data.url ? `${base}${path}` : data.url);
  switch (command) {
    case 'user:list':
      for (const u of data.users as UserInfo[]) {
        lines.push(`  ${u.email.padEnd(32)} ${u.role.padEnd(8)} ${u.disabled ? 'disabled' : 'active'}  last sign-in ${when(u.lastLoginAt)}  id ${u.id}`);
      }
      break;
    case 'user:link':
      lines.push(`  ${link(data.path)}`);
      break;
    case 'key:create':
      lines.push(`  id ${data.key.id}`, `  key: ${data.secret}`, '  store it now: it is not shown again');
      break;
    case 'key:list':
      for (const k of data.keys as ApiKeyInfo[]) {
        lines.push(`  ${k.id}  ${k.kind.padEnd(11)} ${k.prefix.padEnd(14)} "${k.name}"  ${k.revokedAt ? `revoked ${when(k.revokedAt)}` : `last used ${when(k.lastUsedAt)}`}  ${k.rateLimitPerMinute}/min`);
      }
      break;
    case 'display:create':
      lines.push(`  open on the display: ${link(data.path)}`, '  store it now: it is not shown again');
      break;
    case 'display:list':
      for (const t of data.tokens as DisplayTokenInfo[]) {
        lines.push(`  ${t.id}  ${t.prefix.padEnd(14)} "${t.name}"  ${t.revokedAt ? `revoked ${when(t.revokedAt)}` : `last used ${when(t.lastUsedAt)}`}`);
      }
      break;
  }
  return lines;
}

/**
 * `--password -` reads the password from standard input (one line), so it appears neither in the
 * shell history nor in the process list: `printf '%s' "$PW" | npm run user:create -- … --password -`.
 */
async function passwordFromStdin(argv: string[]): Promise<string[]> {
  const at = argv.findIndex((a, i) => a === '--password=-' || (a === '--password' && argv[i + 1] === '-'));
  if (at < 0) return argv;
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  const rest = argv[at] === '--password=-' ? argv.slice(at + 1) : argv.slice(at + 2);
  return [...argv.slice(0, at), `--password=${password}`, ...rest];
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseCommandLine(await passwordFromStdin(process.argv.slice(2)));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`pulse-admin: ${err.message}\nRun with --help for the commands and their flags.`);
    return 2;
  }
  if (parsed.help) {
    console.log(ADMIN_USAGE);
    return 0;
  }
  const outcome = await runAdmin(parsed.command, parsed.args);
  const lines = describeOutcome(parsed.command, outcome);
  (outcome.result.ok ? console.log : console.error)(lines.join('\n'));
  if (outcome.result.ok) return 0;
  return outcome.result.reason === 'usage' ? 2 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      console.error(`pulse-admin: ${(err as Error)?.stack ?? err}`);
      process.exit(1);
    },
  );
}
