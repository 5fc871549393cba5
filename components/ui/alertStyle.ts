import type { Alert, AlertKind } from '@/lib/live';

export const ALERT_KIND_LABEL: Record<AlertKind, string> = {
  fraud: 'Fraud',
  high_value: 'High value',
  low_stock: 'Low stock',
};

export const SEVERITY_LABEL: Record<Alert['severity'], string> = {
  critical: 'Critical',
  warning: 'Warning',
  info: 'Info',
};
