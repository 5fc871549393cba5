import { DayCalendar } from '@/lib/shopTime';
import { minorUnitsOf, parseCurrencyRates } from '@/lib/money';
import type { Config } from '@/server/config';
import { MINUTE_MS } from '@/lib/metrics';

/**
 * The shop's settings every part of the pipeline computes with: its currency (and rates to it),
 * its time zone (what "today" means) and how long an idle cart stays open. Read from the
 * configuration once; the engine and the live stores share one object.
 */
export interface ShopSettings {
  /** ISO 4217 code of the shop currency */
  currency: string;
  /** decimal digits of the shop currency */
  minorUnits: number;
  /** units of the shop currency one unit of another currency is worth */
  rates: Map<string, number>;
  /** IANA time zone */
  timeZone: string;
  /** day boundaries in the shop time zone (memoised: one comparison per call on the hot path) */
  calendar: DayCalendar;
  /** a cart is abandoned when no purchase follows within this long of its last cart activity */
  cartAbandonAfterMs: number;
}

export const DEFAULT_CART_ABANDON_AFTER_MINUTES = 30;

export function shopSettings(o: {
  currency?: string;
  rates?: Map<string, number>;
  timeZone?: string;
  cartAbandonAfterMinutes?: number;
} = {}): ShopSettings {
  const currency = (o.currency ?? 'EUR').toUpperCase();
  const timeZone = o.timeZone ?? 'UTC';
  return {
    currency,
    minorUnits: minorUnitsOf(currency),
    rates: o.rates ?? new Map(),
    timeZone,
    calendar: new DayCalendar(timeZone),
    cartAbandonAfterMs: (o.cartAbandonAfterMinutes ?? DEFAULT_CART_ABANDON_AFTER_MINUTES) * MINUTE_MS,
  };
}

export function shopFromConfig(config: Pick<Config, 'SHOP_CURRENCY' | 'CURRENCY_RATES' | 'SHOP_TIMEZONE' | 'CART_ABANDON_AFTER_MINUTES'>): ShopSettings {
  return shopSettings({
    currency: config.SHOP_CURRENCY,
    rates: parseCurrencyRates(config.CURRENCY_RATES, config.SHOP_CURRENCY),
    timeZone: config.SHOP_TIMEZONE,
    cartAbandonAfterMinutes: config.CART_ABANDON_AFTER_MINUTES,
  });
}
