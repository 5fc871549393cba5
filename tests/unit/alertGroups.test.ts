import { describe, expect, it } from 'vitest';
import { groupAlerts } from '@/lib/alertGroups';
import { alert } from './liveFixture';

const T = Date.UTC(2026, 10, 25, 12, 0, 0);

describe('groupAlerts', () => {
  it('puts the fraud and high-value alerts of one purchase into one group', () => {
    const highValue = alert('hv', T, { eventId: 'e1', kind: 'high_value', severity: 'warning', title: 'High-value purchase' });
    const fraud = alert('fr', T + 20, { eventId: 'e1', kind: 'fraud', severity: 'critical', title: 'Likely fraud' });
    const groups = groupAlerts([highValue, fraud]);
    expect(groups).toHaveLength(1);
    const [g] = groups;
    expect(g.key).toBe('event:e1');
    expect(g.eventId).toBe('e1');
    expect(g.severity).toBe('critical');
    expect(g.lead.id).toBe('fr');
    expect(g.kinds).toEqual(['fraud', 'high_value']);
    expect(g.titles).toEqual(['Likely fraud', 'High-value purchase']);
    expect(g.alerts.map((a) => a.id)).toEqual(['fr', 'hv']);
    expect(g.firedAt).toBe(T + 20);
  });

  it('takes the latest firedAt even when the most severe alert fired first', () => {
    const fraud = alert('fr', T, { eventId: 'e1', kind: 'fraud', severity: 'critical' });
    const highValue = alert('hv', T + 5_000, { eventId: 'e1', kind: 'high_value', severity: 'warning' });
    const [g] = groupAlerts([fraud, highValue]);
    expect(g.lead.id).toBe('fr');
    expect(g.firedAt).toBe(T + 5_000);
  });

  it('keeps every alert without an event in a group of its own', () => {
    const a = alert('s1', T, { eventId: null, kind: 'low_stock', severity: 'info', title: 'Low stock' });
    const b = alert('s2', T + 1, { eventId: null, kind: 'low_stock', severity: 'info', title: 'Low stock' });
    const groups = groupAlerts([a, b]);
    expect(groups.map((g) => g.key)).toEqual(['alert:s2', 'alert:s1']);
    expect(groups.every((g) => g.eventId === null && g.alerts.length === 1)).toBe(true);
  });

  it('orders groups by severity, then newest first', () => {
    const groups = groupAlerts([
      alert('old-warn', T, { eventId: 'e1', severity: 'warning' }),
      alert('new-info', T + 3_000, { eventId: 'e2', severity: 'info' }),
      alert('old-crit', T - 60_000, { eventId: 'e3', severity: 'critical' }),
      alert('new-warn', T + 2_000, { eventId: 'e4', severity: 'warning' }),
      alert('new-crit', T + 1_000, { eventId: 'e5', severity: 'critical' }),
    ]);
    expect(groups.map((g) => g.lead.id)).toEqual(['new-crit', 'old-crit', 'new-warn', 'old-warn', 'new-info']);
  });

  it('ranks a group by its highest severity, so a warning joined by a critical alert moves up', () => {
    const groups = groupAlerts([
      alert('w-other', T + 10_000, { eventId: 'e2', severity: 'warning' }),
      alert('c-only', T + 5_000, { eventId: 'e3', severity: 'critical' }),
      alert('w1', T, { eventId: 'e1', severity: 'warning' }),
      alert('c1', T + 1, { eventId: 'e1', severity: 'critical', kind: 'fraud' }),
    ]);
    expect(groups.map((g) => g.key)).toEqual(['event:e3', 'event:e1', 'event:e2']);
  });

  it('counts an alert id seen twice once', () => {
    const a = alert('a1', T, { eventId: 'e1' });
    const [g] = groupAlerts([a, { ...a }]);
    expect(g.alerts).toHaveLength(1);
    expect(g.kinds).toEqual(['high_value']);
  });

  it('lists a kind and a title once when two alerts of the same rule share an event', () => {
    const [g] = groupAlerts([
      alert('a1', T, { eventId: 'e1', kind: 'high_value', title: 'High-value purchase' }),
      alert('a2', T + 1, { eventId: 'e1', kind: 'high_value', title: 'High-value purchase' }),
    ]);
    expect(g.alerts).toHaveLength(2);
    expect(g.kinds).toEqual(['high_value']);
    expect(g.titles).toEqual(['High-value purchase']);
  });

  it('orders equal severity and time by key, whatever the input order', () => {
    const a = alert('x', T, { eventId: 'b' });
    const b = alert('y', T, { eventId: 'a' });
    expect(groupAlerts([a, b]).map((g) => g.key)).toEqual(['event:a', 'event:b']);
    expect(groupAlerts([b, a]).map((g) => g.key)).toEqual(['event:a', 'event:b']);
  });

  it('returns no groups for no alerts and does not change its input', () => {
    expect(groupAlerts([])).toEqual([]);
    const input = [alert('a', T, { severity: 'info' }), alert('b', T + 1, { severity: 'critical' })];
    const copy = input.map((a) => a.id);
    groupAlerts(input);
    expect(input.map((a) => a.id)).toEqual(copy);
  });
});
