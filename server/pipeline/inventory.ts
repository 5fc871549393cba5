import type { PulseEvent } from '@/lib/events';

export interface StockChange {
  productId: string;
  before: number;
  after: number;
}

/** Stock per tracked product (set through the inventory API), decremented by purchases. */
export class Inventory {
  private readonly stock = new Map<string, number>();

  set(productId: string, stock: number): void {
    this.stock.set(productId, stock);
  }

  /** applies a purchase; returns the tracked products whose stock changed */
  applyPurchase(e: PulseEvent): StockChange[] {
    const lines = e.items.length > 0
      ? e.items
      : e.productId
        ? [{ productId: e.productId, quantity: e.quantity ?? 1 }]
        : [];
    const changes: StockChange[] = [];
    for (const line of lines) {
      const before = this.stock.get(line.productId);
      if (before === undefined) continue;
      const after = before - line.quantity;
      this.stock.set(line.productId, after);
      changes.push({ productId: line.productId, before, after });
    }
    return changes;
  }

  lowest(threshold: number, limit: number): { productId: string; stock: number }[] {
    const low: { productId: string; stock: number }[] = [];
    for (const [productId, stock] of this.stock) if (stock <= threshold) low.push({ productId, stock });
    return low.sort((a, b) => a.stock - b.stock || a.productId.localeCompare(b.productId)).slice(0, limit);
  }

  get tracked(): number {
    return this.stock.size;
  }
}
