import { isKnownAlertKind, type Alert, type KnownAlertKind } from '@/lib/live';

export const ALERT_KIND_LABEL: Record<KnownAlertKind, string> = {
  fraud: 'Fraud',
  high_value: 'High value',
  low_stock: 'Low stock',
};

/**
 * The label of any kind: a kind this build does not know (raised by a newer server or a rule
 * added at run time) is shown by its own name, "price_drop" as "Price drop".
 */
export function alertKindLabel(kind: string): string {
  if (isKnownAlertKind(kind)) return ALERT_KIND_LABEL[kind];
  const words = kind.replace(/[_-]+/g, ' ').trim();
  return words ? words[0].toUpperCase() + words.slice(1) : 'Alert';
}

export const SEVERITY_LABEL: Record<Alert['severity'], string> = {
  critical: 'Critical',
  warning: 'Warning',
  info: 'Info',
};
