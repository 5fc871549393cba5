import { describe, expect, it } from 'vitest';
import { createRandom } from '@/scripts/simulator/random';
import {
  DayCalendar,
  dayStartIn,
  formatDateTimeIn,
  formatDayIn,
  formatTimeIn,
  hourStartIn,
  isValidTimeZone,
  nextDayStartIn,
  zoneLabel,
} from '@/lib/shopTime';

const at = (iso: string) => Date.parse(iso);
const HOUR = 3_600_000;

/** A seeded generator (the simulator's mulberry32) so a failing case can be replayed. */
const random = (seed: number): (() => number) => createRandom(seed).next;

/** The local date as "2026-03-29", straight from Intl, independent of lib/shopTime. */
const dateFormats = new Map<string, Intl.DateTimeFormat>();
function localDate(tz: string, ts: number): string {
  let f = dateFormats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormats.set(tz, f);
  }
  return f.format(ts);
}

const YEAR_START = at('2026-01-01T00:00:00Z');
const YEAR_END = at('2027-01-01T00:00:00Z');
const ZONES = [
  'UTC',
  'Europe/Berlin',
  'Europe/London',
  'America/New_York',
  'America/Santiago',
  'America/Havana',
  'Australia/Adelaide',
  'Australia/Lord_Howe',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Pacific/Chatham',
  'Pacific/Kiritimati',
  'Pacific/Pago_Pago',
];

describe('isValidTimeZone', () => {
  it('knows IANA zones', () => {
    for (const tz of ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Asia/Kathmandu']) expect(isValidTimeZone(tz)).toBe(true);
  });

  it('refuses names that are not zones', () => {
    for (const tz of ['', 'Mars/Olympus_Mons', 'Europe/Berlim', 'GMT+25']) expect(isValidTimeZone(tz)).toBe(false);
  });
});

describe('the 2026 transitions these tests rely on', () => {
  // the expectations below are hand-computed from these offsets; if the tz data changes, this says so first
  it.each([
    ['America/New_York', '2026-03-08T06:59:59Z', 'GMT-5', '2026-03-08T07:00:00Z', 'GMT-4'],
    ['America/New_York', '2026-11-01T05:59:59Z', 'GMT-4', '2026-11-01T06:00:00Z', 'GMT-5'],
    ['Europe/Berlin', '2026-03-29T00:59:59Z', 'CET', '2026-03-29T01:00:00Z', 'CEST'],
    ['Europe/Berlin', '2026-10-25T00:59:59Z', 'CEST', '2026-10-25T01:00:00Z', 'CET'],
    ['America/Santiago', '2026-04-05T02:59:59Z', 'GMT-3', '2026-04-05T03:00:00Z', 'GMT-4'],
    ['America/Santiago', '2026-09-06T03:59:59Z', 'GMT-4', '2026-09-06T04:00:00Z', 'GMT-3'],
    ['America/Havana', '2026-03-08T04:59:59Z', 'GMT-5', '2026-03-08T05:00:00Z', 'GMT-4'],
    ['America/Havana', '2026-11-01T04:59:59Z', 'GMT-4', '2026-11-01T05:00:00Z', 'GMT-5'],
    ['Australia/Adelaide', '2026-04-04T16:29:59Z', 'GMT+10:30', '2026-04-04T16:30:00Z', 'GMT+9:30'],
    ['Australia/Adelaide', '2026-10-03T16:29:59Z', 'GMT+9:30', '2026-10-03T16:30:00Z', 'GMT+10:30'],
    ['Australia/Lord_Howe', '2026-04-04T14:59:59Z', 'GMT+11', '2026-04-04T15:00:00Z', 'GMT+10:30'],
  ])('%s changes offset at %s', (tz, before, labelBefore, after, labelAfter) => {
    expect(zoneLabel(tz, at(before))).toBe(labelBefore);
    expect(zoneLabel(tz, at(after))).toBe(labelAfter);
  });
});

describe('dayStartIn and nextDayStartIn', () => {
  it.each([
    // zone, an instant, its day's first instant, the next day's first instant, hours in that day
    ['UTC', '2026-06-15T13:45:00Z', '2026-06-15T00:00:00Z', '2026-06-16T00:00:00Z', 24],
    ['Europe/Berlin', '2026-01-15T12:00:00Z', '2026-01-14T23:00:00Z', '2026-01-15T23:00:00Z', 24],
    ['Europe/Berlin', '2026-07-15T22:30:00Z', '2026-07-15T22:00:00Z', '2026-07-16T22:00:00Z', 24],
    ['Europe/Berlin', '2026-03-29T12:00:00Z', '2026-03-28T23:00:00Z', '2026-03-29T22:00:00Z', 23],
    ['Europe/Berlin', '2026-10-25T12:00:00Z', '2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z', 25],
    ['Europe/Berlin', '2026-10-25T01:30:00Z', '2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z', 25], // the repeated 02:30
    ['America/New_York', '2026-03-08T18:00:00Z', '2026-03-08T05:00:00Z', '2026-03-09T04:00:00Z', 23],
    ['America/New_York', '2026-03-09T02:00:00Z', '2026-03-08T05:00:00Z', '2026-03-09T04:00:00Z', 23], // 22:00 EDT
    ['America/New_York', '2026-11-01T18:00:00Z', '2026-11-01T04:00:00Z', '2026-11-02T05:00:00Z', 25],
    ['America/New_York', '2026-11-01T06:30:00Z', '2026-11-01T04:00:00Z', '2026-11-02T05:00:00Z', 25], // the second 01:30
    ['Asia/Kolkata', '2026-06-01T20:00:00Z', '2026-06-01T18:30:00Z', '2026-06-02T18:30:00Z', 24],
    ['Asia/Kolkata', '2026-06-01T18:29:59.999Z', '2026-05-31T18:30:00Z', '2026-06-01T18:30:00Z', 24],
    ['Asia/Kathmandu', '2026-06-01T20:00:00Z', '2026-06-01T18:15:00Z', '2026-06-02T18:15:00Z', 24],
    ['Australia/Adelaide', '2026-04-05T05:00:00Z', '2026-04-04T13:30:00Z', '2026-04-05T14:30:00Z', 25],
    ['Australia/Adelaide', '2026-10-04T05:00:00Z', '2026-10-03T14:30:00Z', '2026-10-04T13:30:00Z', 23],
    ['Australia/Lord_Howe', '2026-04-05T05:00:00Z', '2026-04-04T13:00:00Z', '2026-04-05T13:30:00Z', 24.5],
    ['Australia/Lord_Howe', '2026-10-04T05:00:00Z', '2026-10-03T13:30:00Z', '2026-10-04T13:00:00Z', 23.5],
    // midnight skipped: Santiago goes from 23:59:59 on the 5th to 01:00 on the 6th
    ['America/Santiago', '2026-09-06T18:00:00Z', '2026-09-06T04:00:00Z', '2026-09-07T03:00:00Z', 23],
    ['America/Santiago', '2026-09-06T04:00:00Z', '2026-09-06T04:00:00Z', '2026-09-07T03:00:00Z', 23],
    ['America/Santiago', '2026-09-06T03:59:59.999Z', '2026-09-05T04:00:00Z', '2026-09-06T04:00:00Z', 24],
    // 23:00–24:00 on the 4th happens twice: that day is 25 h, the 5th starts at midnight once
    ['America/Santiago', '2026-04-04T18:00:00Z', '2026-04-04T03:00:00Z', '2026-04-05T04:00:00Z', 25],
    ['America/Santiago', '2026-04-05T18:00:00Z', '2026-04-05T04:00:00Z', '2026-04-06T04:00:00Z', 24],
    // Havana skips midnight in March and has it twice in November
    ['America/Havana', '2026-03-08T18:00:00Z', '2026-03-08T05:00:00Z', '2026-03-09T04:00:00Z', 23],
    ['America/Havana', '2026-11-01T18:00:00Z', '2026-11-01T04:00:00Z', '2026-11-02T05:00:00Z', 25],
    ['America/Havana', '2026-11-01T05:30:00Z', '2026-11-01T04:00:00Z', '2026-11-02T05:00:00Z', 25], // the second 00:30
    ['America/Havana', '2026-11-01T04:30:00Z', '2026-11-01T04:00:00Z', '2026-11-02T05:00:00Z', 25], // the first 00:30
    // Samoa skipped 30 December 2011 altogether: the 29th is followed by the 31st
    ['Pacific/Apia', '2011-12-30T05:00:00Z', '2011-12-29T10:00:00Z', '2011-12-30T10:00:00Z', 24],
    ['Pacific/Apia', '2011-12-30T12:00:00Z', '2011-12-30T10:00:00Z', '2011-12-31T10:00:00Z', 24],
  ])('%s at %s: day starts %s, next day %s (%s h)', (tz, ts, start, next, hours) => {
    expect(new Date(dayStartIn(tz, at(ts))).toISOString()).toBe(new Date(at(start)).toISOString());
    expect(new Date(nextDayStartIn(tz, at(ts))).toISOString()).toBe(new Date(at(next)).toISOString());
    expect((at(next) - at(start)) / HOUR).toBe(hours);
  });

  it('starts Santiago’s and Havana’s spring-forward days at 01:00 local', () => {
    expect(formatTimeIn('America/Santiago', dayStartIn('America/Santiago', at('2026-09-06T18:00:00Z')))).toBe('01:00');
    expect(formatTimeIn('America/Havana', dayStartIn('America/Havana', at('2026-03-08T18:00:00Z')))).toBe('01:00');
  });

  it('is the first instant of the local date, in every zone, on random instants of 2026', () => {
    const next = random(2026);
    for (const tz of ZONES) {
      for (let i = 0; i < 300; i++) {
        const ts = YEAR_START + Math.floor(next() * (YEAR_END - YEAR_START));
        const start = dayStartIn(tz, ts);
        const following = nextDayStartIn(tz, ts);
        const where = `${tz} at ${new Date(ts).toISOString()}`;
        expect(start, where).toBeLessThanOrEqual(ts);
        expect(following, where).toBeGreaterThan(ts);
        expect(localDate(tz, start), where).toBe(localDate(tz, ts));
        expect(localDate(tz, start - 1), where).not.toBe(localDate(tz, ts));
        expect(localDate(tz, following - 1), where).toBe(localDate(tz, ts));
        expect(localDate(tz, following), where).not.toBe(localDate(tz, ts));
      }
    }
  });

  it('walks day by day through 2026 with days of 23, 24 or 25 hours only', () => {
    for (const tz of ['Europe/Berlin', 'America/New_York', 'America/Santiago', 'America/Havana']) {
      const lengths = new Map<number, number>();
      let days = 0;
      // noon UTC is on 1 January locally in all of these zones
      const end = dayStartIn(tz, YEAR_END + 12 * HOUR);
      for (let start = dayStartIn(tz, YEAR_START + 12 * HOUR); start < end; days++) {
        const next = nextDayStartIn(tz, start);
        expect(dayStartIn(tz, next), tz).toBe(next);
        expect(dayStartIn(tz, next - 1), tz).toBe(start);
        const hours = (next - start) / HOUR;
        lengths.set(hours, (lengths.get(hours) ?? 0) + 1);
        start = next;
      }
      expect(days, tz).toBe(365);
      expect(Object.fromEntries(lengths), tz).toEqual({ 23: 1, 24: 363, 25: 1 });
    }
  });
});

describe('hourStartIn', () => {
  it.each([
    ['UTC', '2026-06-01T20:10:00Z', '2026-06-01T20:00:00Z'],
    // India is 5:30 ahead: local hours start at half past the UTC hour
    ['Asia/Kolkata', '2026-06-01T20:10:00Z', '2026-06-01T19:30:00Z'],
    ['Asia/Kolkata', '2026-06-01T20:40:00Z', '2026-06-01T20:30:00Z'],
    ['Asia/Kolkata', '2026-06-01T19:30:00Z', '2026-06-01T19:30:00Z'],
    ['Asia/Kolkata', '2026-06-01T19:29:59.999Z', '2026-06-01T18:30:00Z'],
    // Nepal is 5:45 ahead: 20:10 UTC is 01:55 local
    ['Asia/Kathmandu', '2026-06-01T20:10:00Z', '2026-06-01T19:15:00Z'],
    // Berlin's repeated 02:00–03:00 is two separate hours
    ['Europe/Berlin', '2026-10-25T00:30:00Z', '2026-10-25T00:00:00Z'],
    ['Europe/Berlin', '2026-10-25T01:30:00Z', '2026-10-25T01:00:00Z'],
    // New York jumps from 02:00 to 03:00: the 03:00 hour starts at the jump
    ['America/New_York', '2026-03-08T07:30:00Z', '2026-03-08T07:00:00Z'],
    // Lord Howe moves by 30 minutes: the hour in which the clock changed starts at the change
    ['Australia/Lord_Howe', '2026-04-04T15:10:00Z', '2026-04-04T15:00:00Z'],
    ['Australia/Lord_Howe', '2026-10-03T15:40:00Z', '2026-10-03T15:30:00Z'],
  ])('%s at %s: the hour starts %s', (tz, ts, start) => {
    expect(new Date(hourStartIn(tz, at(ts))).toISOString()).toBe(new Date(at(start)).toISOString());
  });

  it('starts at a whole local hour, at or before the instant, on random instants of 2026', () => {
    const next = random(11);
    for (const tz of ['Asia/Kolkata', 'Asia/Kathmandu', 'Europe/Berlin', 'America/New_York', 'Pacific/Chatham']) {
      for (let i = 0; i < 300; i++) {
        const ts = YEAR_START + Math.floor(next() * (YEAR_END - YEAR_START));
        const start = hourStartIn(tz, ts);
        const where = `${tz} at ${new Date(ts).toISOString()}`;
        expect(start, where).toBeLessThanOrEqual(ts);
        expect(ts - start, where).toBeLessThan(HOUR);
        expect(formatTimeIn(tz, start, { seconds: true }).slice(2), where).toBe(':00:00');
        expect(formatTimeIn(tz, start).slice(0, 2), where).toBe(formatTimeIn(tz, ts).slice(0, 2));
      }
    }
  });
});

describe('DayCalendar', () => {
  it('agrees with dayStartIn and nextDayStartIn on 10,000 random instants of 2026', () => {
    for (const tz of ['Europe/Berlin', 'America/New_York', 'America/Santiago', 'America/Havana', 'Australia/Adelaide', 'Asia/Kolkata']) {
      const calendar = new DayCalendar(tz);
      const next = random(tz.length);
      const instants = Array.from({ length: 10_000 }, () => YEAR_START + Math.floor(next() * (YEAR_END - YEAR_START)));
      // the first half in time order (how events arrive), the second half jumping about
      const sorted = instants.slice(0, 5_000).sort((a, b) => a - b);
      for (const ts of [...sorted, ...instants.slice(5_000)]) {
        const start = calendar.dayStart(ts);
        const nextStart = calendar.nextDayStart(ts);
        if (start !== dayStartIn(tz, ts) || nextStart !== nextDayStartIn(tz, ts)) {
          expect.fail(`${tz} at ${new Date(ts).toISOString()}: calendar says ${start}–${nextStart}`);
        }
      }
    }
  });

  it('moves to the next day exactly at the boundary, also on DST days', () => {
    const calendar = new DayCalendar('America/Santiago');
    const start = at('2026-09-06T04:00:00Z');
    const next = at('2026-09-07T03:00:00Z');
    expect(calendar.dayStart(start - 1)).toBe(at('2026-09-05T04:00:00Z'));
    expect(calendar.dayStart(start)).toBe(start);
    expect(calendar.nextDayStart(next - 1)).toBe(next);
    expect(calendar.dayStart(next - 1)).toBe(start);
    expect(calendar.dayStart(next)).toBe(next);
    expect(calendar.dayStart(start - 1)).toBe(at('2026-09-05T04:00:00Z'));
  });

  it('refuses an unknown zone when built', () => {
    expect(() => new DayCalendar('Mars/Olympus_Mons')).toThrow('"Mars/Olympus_Mons" is not an IANA time zone');
  });
});

describe('clock labels', () => {
  const ts = at('2026-12-01T17:48:05Z');

  it('shows the 24-hour local time', () => {
    expect(formatTimeIn('UTC', ts)).toBe('17:48');
    expect(formatTimeIn('Europe/Berlin', ts)).toBe('18:48');
    expect(formatTimeIn('Europe/Berlin', ts, { seconds: true })).toBe('18:48:05');
    expect(formatTimeIn('Asia/Kolkata', ts)).toBe('23:18');
    expect(formatTimeIn('America/New_York', ts)).toBe('12:48');
    expect(formatTimeIn('UTC', at('2026-12-02T00:05:00Z'))).toBe('00:05');
  });

  it('shows date and time, and the day, in the zone', () => {
    expect(formatDateTimeIn('Europe/Berlin', ts)).toBe('1 Dec 2026, 18:48');
    expect(formatDateTimeIn('Pacific/Kiritimati', ts)).toBe('2 Dec 2026, 07:48');
    expect(formatDayIn('Europe/Berlin', ts)).toBe('Tue 1 Dec');
    expect(formatDayIn('Pacific/Kiritimati', ts)).toBe('Wed 2 Dec');
  });

  it('names the zone as it is at that instant', () => {
    expect(zoneLabel('UTC', ts)).toBe('UTC');
    expect(zoneLabel('Europe/Berlin', ts)).toBe('CET');
    expect(zoneLabel('Europe/Berlin', at('2026-07-01T12:00:00Z'))).toBe('CEST');
    expect(zoneLabel('Europe/London', ts)).toBe('GMT');
    expect(zoneLabel('Europe/London', at('2026-07-01T12:00:00Z'))).toBe('BST');
    expect(zoneLabel('America/New_York', ts)).toBe('GMT-5');
    expect(zoneLabel('Asia/Kolkata', ts)).toBe('GMT+5:30');
    expect(zoneLabel('Asia/Kathmandu', ts)).toBe('GMT+5:45');
  });
});
