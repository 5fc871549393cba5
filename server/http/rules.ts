import { ruleChangeSchema, type RuleChange } from '@/server/rules/storedRules';
import type { EventRules } from '@/server/rules/eventRules';
import { actorOf, type Authorize } from './authorize';
import type { AuditRecord } from '@/server/auth/audit';
import { readJsonBody } from './jsonBody';
import { HttpError } from './errors';
import { sendJson } from './respond';
import type { RequestContext } from './router';

export interface RulesDeps {
  describeRules(): { defaults: EventRules; stored: RuleChange | null; inForce: EventRules };
  changeRules(change: RuleChange): Promise<EventRules>;
  /** records an admin action in the audit log */
  audit(record: AuditRecord): Promise<void>;
}

/**
 * `GET /api/rules` and `PATCH /api/rules` (admin): the fraud weights, and (read only) the event
 * alert rules in force. The thresholds are conditions of the alert rules (/api/alert-rules). A change applies within seconds in every
 * process, without a restart, and is written to the log as an audit line.
 */
const MOVED = [
  ['fraudScoreAbove', 'fraud'],
  ['highValueAboveMinor', 'high_value'],
  ['lowStockAtOrBelow', 'low_stock'],
] as const;

export function createRulesHandlers(deps: RulesDeps, authorize: Authorize) {
  return {
    async read(ctx: RequestContext) {
      await authorize(ctx, 'rules:manage');
      sendJson(ctx.res, 200, deps.describeRules());
    },
    async change(ctx: RequestContext) {
      const principal = await authorize(ctx, 'rules:manage');
      const body = await readJsonBody(ctx.req, 16 * 1024);
      // the thresholds became the reference alert rules (editable like any rule)
      if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
        for (const [field, rule] of MOVED) {
          if (Object.hasOwn(body, field)) throw new HttpError('invalid_rules', `${field}: now a condition of the alert rule '${rule}': PATCH /api/alert-rules/${rule}`);
        }
      }
      const parsed = ruleChangeSchema.safeParse(body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new HttpError('invalid_rules', `${issue.path.join('.') || 'body'}: ${issue.message}`);
      }
      const before = deps.describeRules().inForce;
      const inForce = await deps.changeRules(parsed.data);
      await deps.audit({ actor: actorOf(principal), action: 'rules.change', target: { kind: 'rules', id: 'event-rules' }, before, after: inForce });
      sendJson(ctx.res, 200, { inForce });
    },
  };
}
