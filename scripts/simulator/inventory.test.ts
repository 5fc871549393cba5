import { describe, expect, it } from 'vitest';
import { Actor, runToCompletion } from './actor';
import { CATALOGUE } from './catalogue';
import { openingStock, StockBook } from './inventory';
import { createRandom } from './random';
import { shoppingSession } from './session';
import { defaultPricing } from './simulator';
import { UserPool } from './users';

describe('opening stock and the stock book', () => {
  it('stocks every product, a few of them scarce', () => {
    const stock = openingStock(createRandom(1));
    expect(stock.map((s) => s.product_id).sort()).toEqual(CATALOGUE.map((p) => p.id).sort());
    expect(stock.filter((s) => s.stock <= 20)).toHaveLength(3);
    expect(stock.every((s) => Number.isInteger(s.stock) && s.stock >= 10)).toBe(true);
  });

  it('follows purchases and restocks sold-out products for six hours of their sales', () => {
    const HOUR = 3_600_000;
    const book = new StockBook([{ product_id: 'a', stock: 3 }, { product_id: 'b', stock: 50 }, { product_id: 'c', stock: 40 }], { startedAt: 0 });
    expect(book.available([{ productId: 'a', quantity: 3 }, { productId: 'untracked', quantity: 9 }])).toBe(true);
    book.applyPurchase([{ product_id: 'a', quantity: 2 }, { product_id: 'b' }]);
    expect(book.available([{ productId: 'a', quantity: 2 }])).toBe(false);
    expect(book.stockOf('b')).toBe(49);
    // within the first hour sales are counted over a whole hour: 2 sold → 12, more than the opening 3
    expect(book.restock(60_000)).toEqual([{ product_id: 'a', stock: 12 }]);
    expect(book.restock(120_000)).toEqual([]);
    // c sells 39 in two hours: 19.5 an hour, a delivery of 117
    book.applyPurchase([{ product_id: 'c', quantity: 39 }]);
    expect(book.restock(2 * HOUR)).toEqual([{ product_id: 'c', stock: 117 }]);
    // a product that sells slowly still gets at least its opening stock back
    const slow = new StockBook([{ product_id: 'd', stock: 30 }], { startedAt: 0 });
    slow.applyPurchase([{ product_id: 'd', quantity: 29 }]);
    expect(slow.restock(10 * HOUR)).toEqual([{ product_id: 'd', stock: 30 }]);
  });

  it('makes sessions abandon a cart that is sold out', () => {
    const rng = createRandom(5);
    const users = new UserPool(5, defaultPricing());
    const sessions = Array.from({ length: 2000 }, (_, i) =>
      runToCompletion(new Actor('session', shoppingSession(rng.fork(), users.pick(rng), `s${i}`, () => false), 0, () => `e${i}_${Math.random()}`)),
    );
    expect(sessions.flat().some((e) => e.event_type === 'add_to_cart')).toBe(true);
    expect(sessions.flat().some((e) => e.event_type === 'purchase')).toBe(false);
  });
});
