import type { EventRuleSpec, Severity } from '@/lib/alerting';
import type { FraudWeights } from '@/server/pipeline/fraud';

/**
 * An alert rule of kind `event` as the processing engine applies it: enabled rules only, as the
 * database holds them (server/alerts/engine.ts hands them to every process). Ids are the
 * database's (`fraud`, `high_value`, `low_stock` for the reference rules), so an alert's id
 * (`<rule id>:<event id>`) is the same however often the event is delivered.
 */
export interface CompiledEventRule {
  id: string;
  /** the reference rule's key, null for rules people made */
  builtin: string | null;
  name: string;
  severity: Severity;
  version: number;
  spec: EventRuleSpec;
}

/**
 * The event rules the engine applies, as data. They come from a RuleSource and may change at run
 * time: the alert rules from the database, the fraud weights from /api/rules.
 */
export interface EventRules {
  /** enabled event rules, evaluated on every event */
  alertRules: CompiledEventRule[];
  fraudWeights: FraudWeights;
  /** the inventory panel's low-stock line: the low_stock rule's threshold (the environment's when it is off) */
  lowStockAtOrBelow: number;
}

/** Where the rules in force come from. `current()` is cheap: sources refresh in the background. */
export interface RuleSource {
  current(): EventRules;
  close(): Promise<void>;
}

export class StaticRuleSource implements RuleSource {
  constructor(private rules: EventRules) {}
  current(): EventRules {
    return this.rules;
  }
  async close(): Promise<void> {}
}

/** The environment's thresholds: the reference rules' first values. */
export interface ReferenceThresholds {
  fraudScoreAbove: number;
  /** shop-currency minor units */
  highValueAboveMinor: number;
  lowStockAtOrBelow: number;
}

export interface ReferenceRuleDefinition {
  id: string;
  builtin: string;
  name: string;
  description: string;
  severity: Severity;
  spec: EventRuleSpec;
}

/**
 * The reference rules Pulse starts with (stored once in the database, then editable): a fraud
 * score above 0.8, a purchase above 1000 in the shop currency, a product down to 5 in stock.
 */
export function referenceRuleDefinitions(t: ReferenceThresholds): ReferenceRuleDefinition[] {
  return [
    {
      id: 'fraud',
      builtin: 'fraud',
      name: 'Possible fraud',
      description: 'A purchase whose fraud score (amount, velocity and location against the user’s history) is above the threshold.',
      severity: 'critical',
      spec: { eventTypes: ['purchase'], countries: [], conditions: [{ field: 'fraud_score', op: 'gt', value: t.fraudScoreAbove }], dedupBy: 'user', resolveAfterMinutes: 60 },
    },
    {
      id: 'high_value',
      builtin: 'high_value',
      name: 'High-value order',
      description: 'A purchase above the amount, in the shop currency (converted where a rate is set).',
      severity: 'warning',
      spec: { eventTypes: ['purchase'], countries: [], conditions: [{ field: 'shop_amount_minor', op: 'gt', value: t.highValueAboveMinor }], dedupBy: 'user', resolveAfterMinutes: 60 },
    },
    {
      id: 'low_stock',
      builtin: 'low_stock',
      name: 'Low stock',
      description: 'A tracked product’s stock falls to the threshold or below (once per crossing).',
      severity: 'info',
      spec: { eventTypes: ['purchase'], countries: [], conditions: [{ field: 'stock_after', op: 'lte', value: t.lowStockAtOrBelow }], dedupBy: 'product', resolveAfterMinutes: 1440 },
    },
  ];
}

/** the rules in force before the database has said anything: the reference rules, enabled */
export function referenceEventRules(t: ReferenceThresholds): CompiledEventRule[] {
  return referenceRuleDefinitions(t).map(({ id, builtin, name, severity, spec }) => ({ id, builtin, name, severity, version: 0, spec }));
}

/** the inventory panel's threshold: the enabled low_stock rule's, else the given default */
export function lowStockLine(rules: readonly CompiledEventRule[], fallback: number): number {
  const rule = rules.find((r) => r.builtin === 'low_stock');
  const cond = rule?.spec.conditions.find((c) => c.field === 'stock_after');
  if (!cond) return fallback;
  return cond.op === 'lt' ? Math.ceil(cond.value) - 1 : Math.floor(cond.value);
}

/** the rules in force from the environment alone: the reference rules with its thresholds */
export function eventRulesFrom(t: ReferenceThresholds & { fraudWeights: FraudWeights }): EventRules {
  return { alertRules: referenceEventRules(t), fraudWeights: t.fraudWeights, lowStockAtOrBelow: t.lowStockAtOrBelow };
}
