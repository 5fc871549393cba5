import type { FraudWeights } from '@/server/pipeline/fraud';

/**
 * The event rules the engine applies, as data. They come from a RuleSource (environment
 * defaults now; stored, editable rules with the alerting issue) and may change at run time.
 */
export interface EventRules {
  fraudScoreAbove: number;
  highValueAboveMinor: number;
  lowStockAtOrBelow: number;
  fraudWeights: FraudWeights;
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
