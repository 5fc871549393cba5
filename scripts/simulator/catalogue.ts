/**
 * The simulated shop: ~40 products in 8 categories. Prices are integer euro cents (other
 * currencies are converted from them, currency.ts); `popularity` weights how often a product is
 * viewed, and with its price how often it is bought (basket.ts).
 */
export interface Product {
  id: string;
  name: string;
  category: string;
  priceMinor: number;
  popularity: number;
}

type Row = [name: string, euros: number, popularity: number];

const ROWS: Record<string, Row[]> = {
  electronics: [
    ['Wireless earbuds', 79.99, 9],
    ['Smartwatch', 249, 5],
    ['Bluetooth speaker', 59.9, 7],
    ['USB-C charger 65W', 34.99, 8],
    ['Noise-cancelling headphones', 329, 4],
    ['Ultrabook 14"', 1499, 1.2],
    ['Mirrorless camera kit', 1249, 0.9],
    ['OLED TV 55"', 1899, 0.8],
  ],
  fashion: [
    ['Organic cotton T-shirt', 24.9, 10],
    ['Denim jacket', 89, 5],
    ['Merino sweater', 119, 4],
    ['Rain jacket', 139, 3],
    ['Leather belt', 39.5, 4],
  ],
  shoes: [
    ['Running shoes', 129.95, 7],
    ['Leather sneakers', 99, 6],
    ['Hiking boots', 179, 3],
    ['Sandals', 44.99, 4],
  ],
  home: [
    ['Espresso machine', 449, 2.5],
    ['Chef knife', 69, 4],
    ['Linen bedding set', 149, 3],
    ['Ceramic mug set', 29.9, 6],
    ['Design sofa', 1190, 0.6],
    ['Robot vacuum', 399, 2],
  ],
  beauty: [
    ['Face serum', 32, 7],
    ['Shampoo bar', 9.9, 8],
    ['Perfume 50ml', 89, 4],
    ['Electric toothbrush', 79, 4],
  ],
  sports: [
    ['Yoga mat', 35, 6],
    ['Adjustable dumbbells', 229, 2],
    ['Cycling helmet', 89.9, 3],
    ['E-bike', 2490, 0.5],
    ['Tennis racket', 159, 2],
  ],
  books: [
    ['Cookbook', 27.5, 6],
    ['Crime novel', 12.99, 8],
    ['Travel guide', 19.95, 5],
  ],
  toys: [
    ['Building blocks set', 49.99, 6],
    ['Wooden train', 39, 4],
    ['Board game', 34.9, 6],
    ['Remote-control car', 64.5, 3],
  ],
};

export const CATALOGUE: readonly Product[] = Object.entries(ROWS).flatMap(([category, rows]) =>
  rows.map(([name, euros, popularity]) => ({ name, category, popularity, priceMinor: Math.round(euros * 100), id: '' })),
).map((p, i) => ({ ...p, id: `prod_${String(i + 1).padStart(3, '0')}` }));

export const CATEGORIES: readonly string[] = Object.keys(ROWS);

/** the high-value rule's default threshold (PRODUCT.md: a purchase above 1000), in catalogue cents */
export const HIGH_VALUE_ABOVE_MINOR = 100_000;

export const productsIn = (category: string): Product[] => CATALOGUE.filter((p) => p.category === category);

export const expensiveProducts = (): Product[] => CATALOGUE.filter((p) => p.priceMinor > HIGH_VALUE_ABOVE_MINOR);

export const cheapProducts = (maxMinor = 5_000): Product[] => CATALOGUE.filter((p) => p.priceMinor <= maxMinor);
