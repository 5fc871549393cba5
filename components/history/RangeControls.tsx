'use client';

import { useState, type FormEvent } from 'react';
import { MAX_HOURLY_RANGE_DAYS, type Granularity } from '@/lib/history';
import { addDays, checkPickedDays, PRESET_LABELS, PRESETS, type ResolvedRange, type Selection } from './range';

/**
 * The range picker: presets of the shop's calendar, two date inputs for a range of one's own
 * (both days included, as a person reads them), hour or day buckets, and the comparison switch.
 * Every choice goes into the URL, so a link or a reload shows the same.
 */
export function RangeControls(props: {
  selection: Selection;
  range: ResolvedRange;
  today: string;
  onChange: (next: Selection) => void;
}) {
  const { selection, range, today, onChange } = props;
  const activePreset = selection.range.kind === 'preset' ? selection.range.preset : null;
  return (
    <div className="hx-controls" data-testid="range-controls">
      <div className="hx-segmented hx-presets" role="group" aria-label="Range">
        {PRESETS.map((preset) => (
          <button
            key={preset}
            type="button"
            className="hx-seg"
            aria-pressed={activePreset === preset}
            data-testid={`preset-${preset}`}
            onClick={() => onChange({ ...selection, range: { kind: 'preset', preset }, granularity: null })}
          >
            {PRESET_LABELS[preset]}
          </button>
        ))}
      </div>
      <CustomRange key={`${range.fromDate}/${range.toDate}`} range={range} today={today} custom={activePreset === null} onApply={(from, to) => onChange({ ...selection, range: { kind: 'custom', from, to }, granularity: null })} />
      <div className="hx-segmented" role="group" aria-label="Buckets">
        {(['hour', 'day'] as Granularity[]).map((g) => {
          const disabled = g === 'hour' && !range.hourAllowed;
          return (
            <button
              key={g}
              type="button"
              className="hx-seg"
              aria-pressed={range.granularity === g}
              disabled={disabled}
              title={disabled ? `Hourly buckets for ranges up to ${MAX_HOURLY_RANGE_DAYS} days` : undefined}
              data-testid={`granularity-${g}`}
              onClick={() => onChange({ ...selection, granularity: g })}
            >
              {g === 'hour' ? 'By hour' : 'By day'}
            </button>
          );
        })}
      </div>
      <label className="hx-toggle">
        <input type="checkbox" checked={selection.compare} onChange={(e) => onChange({ ...selection, compare: e.target.checked })} data-testid="compare-toggle" />
        Compare with the previous period
      </label>
    </div>
  );
}

function CustomRange(props: { range: ResolvedRange; today: string; custom: boolean; onApply: (from: string, to: string) => void }) {
  const { range, today } = props;
  const [first, setFirst] = useState(range.fromDate);
  const [last, setLast] = useState(addDays(range.toDate, -1));
  const [error, setError] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const checked = checkPickedDays(first, last, today);
    if (!checked.ok) {
      setError(checked.error);
      return;
    }
    setError(null);
    props.onApply(checked.from, checked.to);
  };
  return (
    <form className={`hx-custom ${props.custom ? 'is-active' : ''}`} onSubmit={submit} noValidate data-testid="custom-range">
      <label>
        <span className="hx-field-label">From</span>
        <input type="date" value={first} max={today} onChange={(e) => setFirst(e.target.value)} data-testid="custom-from" aria-invalid={error !== null} />
      </label>
      <label>
        <span className="hx-field-label">To (included)</span>
        <input type="date" value={last} onChange={(e) => setLast(e.target.value)} data-testid="custom-to" aria-invalid={error !== null} />
      </label>
      <button type="submit" className="hx-button" data-testid="custom-apply">
        Show
      </button>
      {error && (
        <p className="hx-field-error" role="alert" data-testid="custom-error">
          {error}
        </p>
      )}
    </form>
  );
}
