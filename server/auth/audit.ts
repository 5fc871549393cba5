import type { PrismaClient } from '@/server/db/generated/client';
import { AUDIT_PAGE_MAX, type AuditEntryInfo } from '@/lib/auth';

export interface Actor {
  kind: string;
  id: string | null;
  label: string;
}

export interface AuditRecord {
  actor: Actor;
  /** e.g. user.create, key.revoke, rules.change */
  action: string;
  target?: { kind: string; id: string } | null;
  before?: unknown;
  after?: unknown;
}

export interface AuditQuery {
  action?: string;
  actor?: string;
  from?: Date;
  to?: Date;
  /** the id of the last entry of the previous page */
  before?: bigint;
  limit?: number;
}

/**
 * The audit log: who did what, when, with the state before and after. Only appended to — the
 * database refuses UPDATE and DELETE on the table (a trigger in the migration), and no code path
 * here offers either. Secrets never enter it: callers pass descriptions, not rows.
 */
export class AuditLog {
  constructor(private readonly db: PrismaClient) {}

  async record(entry: AuditRecord): Promise<void> {
    await this.db.auditEntry.create({
      data: {
        actorKind: entry.actor.kind,
        actorId: entry.actor.id,
        actorLabel: entry.actor.label.slice(0, 300),
        action: entry.action,
        targetKind: entry.target?.kind ?? null,
        targetId: entry.target?.id ?? null,
        before: toJson(entry.before),
        after: toJson(entry.after),
      },
    });
  }

  async page(q: AuditQuery): Promise<{ entries: AuditEntryInfo[]; next: string | null }> {
    const limit = Math.min(AUDIT_PAGE_MAX, Math.max(1, q.limit ?? 50));
    const rows = await this.db.auditEntry.findMany({
      where: {
        ...(q.action ? { action: { startsWith: q.action } } : {}),
        ...(q.actor ? { actorLabel: { contains: q.actor, mode: 'insensitive' as const } } : {}),
        ...(q.from || q.to ? { at: { ...(q.from ? { gte: q.from } : {}), ...(q.to ? { lt: q.to } : {}) } } : {}),
        ...(q.before !== undefined ? { id: { lt: q.before } } : {}),
      },
      orderBy: { id: 'desc' },
      take: limit + 1,
    });
    const more = rows.length > limit;
    const entries = rows.slice(0, limit).map((r) => ({
      id: r.id.toString(),
      at: r.at.toISOString(),
      actorKind: r.actorKind,
      actorId: r.actorId,
      actorLabel: r.actorLabel,
      action: r.action,
      targetKind: r.targetKind,
      targetId: r.targetId,
      before: r.before ?? null,
      after: r.after ?? null,
    }));
    return { entries, next: more ? entries[entries.length - 1].id : null };
  }
}

/** Prisma's Json columns take plain JSON; undefined and null mean "nothing" */
function toJson(value: unknown): any {
  if (value === undefined || value === null) return undefined;
  return JSON.parse(JSON.stringify(value));
}
