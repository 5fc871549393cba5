import { CATALOGUE } from './catalogue';
import type { Random } from './random';

export interface StockLevel {
  product_id: string;
  stock: number;
}

/**
 * Opening stock for the catalogue: plenty of the long tail, and a few popular products
 * short enough that purchases bring them to the low-stock threshold within minutes of a demo.
 */
export function openingStock(rng: Random, scarce = 3): StockLevel[] {
  const popular = CATALOGUE.filter((p) => p.popularity >= 5).map((p) => p.id);
  const short = new Set<string>();
  while (short.size < Math.min(scarce, popular.length)) short.add(rng.pick(popular));
  return CATALOGUE.map((p) => ({
    product_id: p.id,
    stock: short.has(p.id) ? rng.int(12, 20) : Math.max(10, Math.round(p.popularity * rng.int(30, 80))),
  }));
}

/** `POST /api/inventory`: sets the stock levels; retried a few times while the server starts. */
export async function seedInventory(url: string, key: string, items: StockLevel[], attempts = 5): Promise<{ ok: true } | { ok: false; error: string }> {
  let error = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const res = await fetch(`${url.replace(/\/+$/, '')}/api/inventory`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ items }),
        signal: AbortSignal.timeout(10_000),
      });
      if (res.ok) return { ok: true };
      const text = await res.text();
      error = `HTTP ${res.status}: ${text.slice(0, 200)}`;
      if (res.status < 500 && res.status !== 429) break;
    } catch (err) {
      error = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 500 * attempt));
  }
  return { ok: false, error };
}

/**
 * The simulator's view of the stock it set: updated from the purchases it sends, so sessions
 * do not buy what is sold out (they abandon instead), and sold-out products are restocked like
 * a warehouse delivery. A delivery lasts about `deliveryHours` at the product's sales so far
 * (never less than its opening stock), so on a long-running wall each product runs low about
 * once in that time: the low-stock panel keeps moving without an alert every few minutes.
 */
export class StockBook {
  private readonly levels = new Map<string, { stock: number; opening: number; sold: number }>();

  constructor(
    opening: StockLevel[],
    private readonly o: { startedAt: number; restockAtOrBelow?: number; deliveryHours?: number },
  ) {
    for (const l of opening) this.levels.set(l.product_id, { stock: l.stock, opening: l.stock, sold: 0 });
  }

  /** true when every line is in stock (untracked products always are) */
  available(lines: readonly { productId: string; quantity: number }[]): boolean {
    return lines.every((l) => (this.levels.get(l.productId)?.stock ?? Infinity) >= l.quantity);
  }

  applyPurchase(items: readonly { product_id: string; quantity?: number }[]): void {
    for (const item of items) {
      const level = this.levels.get(item.product_id);
      if (!level) continue;
      level.stock -= item.quantity ?? 1;
      level.sold += item.quantity ?? 1;
    }
  }

  /** products at or below the restock level, with the stock a delivery brings them to */
  restock(now: number): StockLevel[] {
    // sales per hour, over at least an hour, so a busy first minute does not order a mountain
    const hours = Math.max(1, (now - this.o.startedAt) / 3_600_000);
    const due: StockLevel[] = [];
    for (const [product_id, level] of this.levels) {
      if (level.stock <= (this.o.restockAtOrBelow ?? 1)) {
        level.stock = Math.max(level.opening, Math.ceil((level.sold / hours) * (this.o.deliveryHours ?? 6)));
        due.push({ product_id, stock: level.stock });
      }
    }
    return due;
  }

  stockOf(productId: string): number | undefined {
    return this.levels.get(productId)?.stock;
  }
}
