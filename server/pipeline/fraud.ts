import type { PulseEvent } from '@/lib/events';
import { HOUR_MS, MINUTE_MS } from '@/lib/metrics';
import { distanceKm } from './geo';

/**
 * The reference pipeline's fraud rule (PRODUCT.md): a pure function of the user's history
 * before this purchase. Weights are configurable; the score is capped at 1.
 */

export interface FraudWeights {
  amount: number;
  velocity: number;
  location: number;
}

export const DEFAULT_FRAUD_WEIGHTS: FraudWeights = { amount: 0.3, velocity: 0.4, location: 0.3 };

export const AMOUNT_MULTIPLE = 5;
export const VELOCITY_WINDOW_MS = 10 * MINUTE_MS;
export const VELOCITY_MAX_PURCHASES = 3;
export const LOCATION_WINDOW_MS = HOUR_MS;
export const MAX_TRAVEL_KMH = 900;
/** below this distance two fixes count as the same place, whatever the time between them */
const SAME_PLACE_KM = 1;

export interface KnownLocation {
  country: string | null;
  lat: number | null;
  lon: number | null;
  at: number;
}

/** What the rule needs to know about the user before the purchase being scored. */
export interface FraudHistory {
  purchaseCount: number;
  purchaseTotalMinor: number;
  /** event times of previous purchases (at least those of the last 10 minutes) */
  recentPurchaseTimes: number[];
  lastLocation: KnownLocation | null;
}

export interface FraudScore {
  score: number;
  reasons: string[];
}

export function scoreFraud(history: FraudHistory, event: PulseEvent, weights: FraudWeights): FraudScore {
  const reasons: string[] = [];
  // sum in hundredths so 0.3 + 0.4 + 0.3 is exactly 1
  let hundredths = 0;
  const amount = event.amountMinor ?? 0;

  if (history.purchaseCount > 0) {
    const average = history.purchaseTotalMinor / history.purchaseCount;
    if (amount > AMOUNT_MULTIPLE * average) {
      hundredths += Math.round(weights.amount * 100);
      reasons.push(`amount is ${(amount / Math.max(average, 1)).toFixed(1)}× the user's average purchase`);
    }
  }

  const since = event.ts - VELOCITY_WINDOW_MS;
  const recent = history.recentPurchaseTimes.filter((t) => t >= since && t <= event.ts).length;
  if (recent > VELOCITY_MAX_PURCHASES) {
    hundredths += Math.round(weights.velocity * 100);
    reasons.push(`${recent} purchases in the previous 10 minutes`);
  }

  const anomaly = locationAnomaly(history.lastLocation, event);
  if (anomaly) {
    hundredths += Math.round(weights.location * 100);
    reasons.push(anomaly);
  }

  return { score: Math.min(100, hundredths) / 100, reasons };
}

function locationAnomaly(last: KnownLocation | null, event: PulseEvent): string | null {
  const loc = event.location;
  if (!last || !loc) return null;
  const gap = Math.abs(event.ts - last.at);
  if (loc.country && last.country && loc.country !== last.country && gap <= LOCATION_WINDOW_MS) {
    return `country changed from ${last.country} to ${loc.country} within ${Math.max(1, Math.round(gap / MINUTE_MS))} min`;
  }
  if (loc.lat !== null && loc.lon !== null && last.lat !== null && last.lon !== null) {
    const km = distanceKm(last.lat, last.lon, loc.lat, loc.lon);
    if (km <= SAME_PLACE_KM) return null;
    const hours = gap / HOUR_MS;
    const speed = hours === 0 ? Infinity : km / hours;
    if (speed > MAX_TRAVEL_KMH) {
      return `implied travel speed ${Number.isFinite(speed) ? Math.round(speed) : '∞'} km/h over ${Math.round(km)} km`;
    }
  }
  return null;
}
