import { z } from 'zod';

/**
 * Who may see what, and the shapes of the sign-in and admin API, shared by the server (which
 * enforces them) and the pages (which only offer what a role may use).
 */

export const ROLES = ['viewer', 'analyst', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** pages by what they need; the server refuses a page a role may not use, the nav hides it */
export const PAGES = ['overview', 'wall', 'history', 'entities', 'pipeline', 'admin'] as const;
export type PageId = (typeof PAGES)[number];

export const ROLE_PAGES: Readonly<Record<Role, readonly PageId[]>> = {
  viewer: ['overview', 'wall'],
  analyst: ['overview', 'wall', 'history', 'entities'],
  admin: ['overview', 'wall', 'history', 'entities', 'pipeline', 'admin'],
};

/** a wall display signed in with a display token sees the wall and nothing else */
export const DISPLAY_PAGES: readonly PageId[] = ['wall'];

export const ROLE_LABELS: Readonly<Record<Role, string>> = { viewer: 'Viewer', analyst: 'Analyst', admin: 'Admin' };

export const EMAIL_MAX = 254;
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;
export const NAME_MAX = 80;

/** text that goes into the database: no control characters (PostgreSQL refuses NUL), no lone surrogates */
export const storable = (v: string): boolean => !/[\u0000-\u001f\u007f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(v);

export const emailSchema = z
  .string({ error: 'email must be a string' })
  .trim()
  .max(EMAIL_MAX, { error: `email must be at most ${EMAIL_MAX} characters` })
  .regex(/^[^\s@]+@[^\s@]+$/, { error: 'email must look like name@example.com' })
  .refine(storable, { error: 'email must not contain control characters or broken Unicode' })
  .transform((e) => e.toLowerCase());

export const passwordSchema = z
  .string({ error: 'password must be a string' })
  .min(PASSWORD_MIN, { error: `password must be at least ${PASSWORD_MIN} characters` })
  .max(PASSWORD_MAX, { error: `password must be at most ${PASSWORD_MAX} characters` });

export const nameSchema = z
  .string({ error: 'name must be a string' })
  .trim()
  .min(1, { error: 'name must not be empty' })
  .max(NAME_MAX, { error: `name must be at most ${NAME_MAX} characters` })
  .refine(storable, { error: 'name must not contain control characters or broken Unicode' });

export const roleSchema = z.enum(ROLES, { error: 'role must be viewer, analyst or admin' });

// ---- POST /api/auth/login, POST /api/auth/setup ----
/** the password is only checked for presence and size here: a sign-in never reveals the policy */
export const loginBodySchema = z.strictObject({
  email: z.string({ error: 'email must be a string' }).max(EMAIL_MAX, { error: `email must be at most ${EMAIL_MAX} characters` }),
  password: z.string({ error: 'password must be a string' }).min(1, { error: 'password must not be empty' }).max(PASSWORD_MAX, { error: `password must be at most ${PASSWORD_MAX} characters` }),
});
export const setupBodySchema = z.strictObject({ token: z.string().min(1).max(200), email: emailSchema, password: passwordSchema });

// ---- GET /api/auth/me ----
export const meSchema = z.object({
  /** null: nobody is signed in */
  user: z.object({ id: z.string(), email: z.string(), role: roleSchema }).nullable(),
  /** set when this browser is a wall display signed in with a display token */
  display: z.object({ id: z.string(), name: z.string() }).nullable(),
  /** the pages this browser may open, in navigation order */
  pages: z.array(z.enum(PAGES)),
  /** the first admin has not been created yet (the setup link was printed by the server) */
  setupPending: z.boolean(),
});
export type Me = z.infer<typeof meSchema>;

// ---- GET /api/auth/sessions (own), DELETE /api/auth/sessions/:id ----
export const sessionInfoSchema = z.object({
  id: z.string(),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  expiresAt: z.string(),
  userAgent: z.string().nullable(),
  current: z.boolean(),
});
export type SessionInfo = z.infer<typeof sessionInfoSchema>;

// ---- /api/admin/users ----
export const userInfoSchema = z.object({
  id: z.string(),
  email: z.string(),
  role: roleSchema,
  createdAt: z.string(),
  lastLoginAt: z.string().nullable(),
  disabled: z.boolean(),
  /** set while sign-in is locked after failed attempts */
  lockedUntil: z.string().nullable(),
  activeSessions: z.number(),
});
export type UserInfo = z.infer<typeof userInfoSchema>;
export const createUserBodySchema = z.strictObject({ email: emailSchema, password: passwordSchema, role: roleSchema });
export const changeUserBodySchema = z
  .strictObject({ role: roleSchema.optional(), disabled: z.boolean({ error: 'disabled must be true or false' }).optional(), password: passwordSchema.optional() })
  .refine((b) => b.role !== undefined || b.disabled !== undefined || b.password !== undefined, { error: 'send at least one of role, disabled, password' });

// ---- /api/admin/keys ----
export const KEY_KINDS = ['publishable', 'secret'] as const;
export type KeyKind = (typeof KEY_KINDS)[number];
export const RATE_LIMIT_MIN = 1;
export const RATE_LIMIT_MAX = 10_000_000;
export const DEFAULT_RATE_LIMIT_PER_MINUTE: Readonly<Record<KeyKind, number>> = { publishable: 600_000, secret: 6_000 };
export const apiKeyInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(KEY_KINDS),
  /** the key's first characters, e.g. "pk_7Hq2…" */
  prefix: z.string(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  rateLimitPerMinute: z.number(),
});
export type ApiKeyInfo = z.infer<typeof apiKeyInfoSchema>;
export const createKeyBodySchema = z.strictObject({
  name: nameSchema,
  kind: z.enum(KEY_KINDS, { error: 'kind must be publishable or secret' }),
  rateLimitPerMinute: z
    .number({ error: 'rateLimitPerMinute must be a number' })
    .int({ error: 'rateLimitPerMinute must be a whole number' })
    .min(RATE_LIMIT_MIN, { error: `rateLimitPerMinute must be at least ${RATE_LIMIT_MIN}` })
    .max(RATE_LIMIT_MAX, { error: `rateLimitPerMinute must be at most ${RATE_LIMIT_MAX}` })
    .optional(),
});
/** the answer to a key's creation: the only time the key itself is shown */
export const createdKeySchema = z.object({ key: apiKeyInfoSchema, secret: z.string() });

// ---- /api/admin/display-tokens ----
export const displayTokenInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type DisplayTokenInfo = z.infer<typeof displayTokenInfoSchema>;
export const createDisplayTokenBodySchema = z.strictObject({ name: nameSchema });
/** `link` is a path (`/wall?display=…`): open it on the TV; shown once */
export const createdDisplayTokenSchema = z.object({ token: displayTokenInfoSchema, link: z.string() });

// ---- GET /api/admin/audit ----
export const auditEntrySchema = z.object({
  id: z.string(),
  at: z.string(),
  actorKind: z.string(),
  actorId: z.string().nullable(),
  actorLabel: z.string(),
  action: z.string(),
  targetKind: z.string().nullable(),
  targetId: z.string().nullable(),
  before: z.unknown().nullable(),
  after: z.unknown().nullable(),
});
export type AuditEntryInfo = z.infer<typeof auditEntrySchema>;
/** newest first; `next` is the `before` cursor of the following page */
export const auditPageSchema = z.object({ entries: z.array(auditEntrySchema), next: z.string().nullable() });
export const AUDIT_PAGE_MAX = 200;
