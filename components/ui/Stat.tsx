'use client';

import type { ReactNode } from 'react';
import { useFitText } from '@/components/hooks/useFitText';

export type Tone = 'neutral' | 'good' | 'warning' | 'critical';

/**
 * A labelled value. `value` is the raw number (minor units for money) exposed as `data-value`,
 * so tests and tools read exact numbers rather than parsing formatted text. The value shrinks
 * to fit its box rather than being cut off; the label and hint lines wrap.
 */
export function Stat(props: {
  label: ReactNode;
  display: ReactNode;
  value?: number | null;
  hint?: ReactNode;
  testId?: string;
  tone?: Tone;
  size?: 'md' | 'lg';
  className?: string;
  /** how the number is defined, shown on hover */
  title?: string;
  /** extra raw numbers for tests and tools, rendered as data-* attributes on the value */
  data?: Record<string, string | number>;
}) {
  const extra = Object.fromEntries(
    Object.entries(props.data ?? {}).map(([key, v]) => [`data-${key}`, String(v)]),
  );
  const fitRef = useFitText<HTMLDivElement>(typeof props.display === 'string' ? props.display : props.value);
  return (
    <div
      className={`stat stat-${props.size ?? 'md'} tone-${props.tone ?? 'neutral'} ${props.className ?? ''}`}
      title={props.title}
    >
      <div className="stat-label">{props.label}</div>
      <div
        ref={fitRef}
        className="stat-value"
        data-testid={props.testId}
        data-value={props.value === undefined || props.value === null ? undefined : String(props.value)}
        {...extra}
      >
        {props.display}
      </div>
      {props.hint !== undefined && <div className="stat-hint">{props.hint}</div>}
    </div>
  );
}
