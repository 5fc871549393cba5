import type { Config } from '@/server/config';
import type { Database } from '@/server/db/database';
import { createAuthorizer, StaticKeys, type AuthSources, type Authorize } from '@/server/http/authorize';
import { log } from '@/server/log';
import { Accounts } from './accounts';
import { ApiKeys } from './apiKeys';
import { AuditLog, type Actor } from './audit';
import { DisplayTokens } from './displays';
import { OneTimeLinks } from './links';
import type { OriginPolicy } from './origins';

export interface Auth {
  sources: AuthSources;
  authorize: Authorize;
  accounts: Accounts;
  keys: ApiKeys;
  displays: DisplayTokens;
  links: OneTimeLinks;
  audit: AuditLog;
  origins: OriginPolicy;
  /** no user exists yet (the setup link is the way in) */
  setupPending(): Promise<boolean>;
  close(): Promise<void>;
}

export const SYSTEM_ACTOR: Actor = { kind: 'system', id: null, label: 'Pulse' };

/** Sign-in, keys, display tokens and the audit log over one database, for one web process. */
export async function createAuth(db: Database, config: Config, origins: OriginPolicy): Promise<Auth> {
  const prisma = db.prisma;
  const audit = new AuditLog(prisma);
  const accounts = new Accounts(prisma, audit, { sessionMaxMs: config.SESSION_MAX_HOURS * 3600_000, sessionIdleMs: config.SESSION_IDLE_MINUTES * 60_000 });
  const keys = new ApiKeys(prisma, audit, new StaticKeys(config.INGEST_API_KEYS, config.ADMIN_API_KEYS));
  await keys.start();
  const displays = new DisplayTokens(prisma, audit);
  const links = new OneTimeLinks(prisma);
  const sources: AuthSources = {
    keys,
    origins,
    sessions: { user: (t) => accounts.sessionUser(t), display: (t) => displays.principal(t) },
  };
  // ended sessions and expired links are cleared at start and every hour
  const purge = () => void accounts.purgeEnded().catch((err) => log.warn('could not clear ended sessions', { error: String(err) }));
  purge();
  const purgeTimer = setInterval(purge, 3600_000);
  purgeTimer.unref();
  // once someone exists nobody is ever "first" again: remembered, not asked per request
  let anyone = false;
  return {
    sources,
    authorize: createAuthorizer(sources),
    accounts,
    keys,
    displays,
    links,
    audit,
    origins,
    async setupPending() {
      if (!anyone) anyone = (await accounts.userCount()) > 0;
      return !anyone;
    },
    close: () => {
      clearInterval(purgeTimer);
      return keys.stop();
    },
  };
}

/**
 * The first admin from PULSE_ADMIN_EMAIL / PULSE_ADMIN_PASSWORD, when the database has no users:
 * done before the server listens, so nobody can sign in to a half-made Pulse. Several web
 * processes may race here: the unique email makes the first creation win.
 */
export async function createAdminFromEnv(auth: Auth, config: Config): Promise<void> {
  if (!config.PULSE_ADMIN_EMAIL || !config.PULSE_ADMIN_PASSWORD) return;
  if ((await auth.accounts.userCount()) > 0) return;
  try {
    await auth.accounts.create({ ...SYSTEM_ACTOR, label: 'PULSE_ADMIN_EMAIL' }, { email: config.PULSE_ADMIN_EMAIL, password: config.PULSE_ADMIN_PASSWORD, role: 'admin' });
    log.info(`created the first admin, ${config.PULSE_ADMIN_EMAIL.trim().toLowerCase()} (from PULSE_ADMIN_EMAIL)`);
  } catch (err) {
    if ((await auth.accounts.userCount()) === 0) throw err;
  }
}

/**
 * With no users and no PULSE_ADMIN_EMAIL: a one-time setup link, printed once the server
 * listens (a second one printed by another web process is harmless: each works once).
 */
export async function printSetupLink(auth: Auth, where: string): Promise<void> {
  if ((await auth.accounts.userCount()) > 0) return;
  const token = await auth.links.create('setup', null);
  log.info(`no users yet: open ${where}/setup?token=${token} to create the first admin (works once, for 24 hours), or run: npm run user:create -- --email you@example.com --password '…' --role admin`);
}
