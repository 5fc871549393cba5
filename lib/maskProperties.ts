/**
 * Masking of event properties (MASK_PROPERTY_KEYS): the value of every property whose key is on
 * the list, compared case-insensitively, at any depth and in objects inside arrays, becomes
 * "[masked]", whatever it was (a string, a number, a whole object). Applied once at ingest,
 * right after validation, so no store, log or screen ever holds the value.
 *
 * Only `properties` (what the lake keeps as sent) is masked. The fields the pipeline computes
 * from it at validation (amount, items, location's country and coordinates…) are its own data,
 * not the client's free-form properties.
 */

export const MASKED = '[masked]';

export type PropertyMask = (properties: Record<string, unknown>) => Record<string, unknown>;

/** A mask for these keys; with none, the identity. */
export function createPropertyMask(keys: readonly string[]): PropertyMask {
  const masked = new Set(keys.map((k) => k.toLowerCase()));
  if (masked.size === 0) return (properties) => properties;
  return (properties) => (containsMaskedKey(properties, masked) ? maskedCopy(properties, masked) : properties);
}

/** `properties` with the values of the keys in `keys` masked; the input is not changed. */
export function maskProperties(properties: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return createPropertyMask(keys)(properties);
}

/**
 * Most events carry nothing to mask: one walk without allocating decides whether a copy is
 * needed. Iterative, like every walk over client data (validation bounds the depth, but a
 * stack of our own does not depend on that).
 */
function containsMaskedKey(root: object, masked: ReadonlySet<string>): boolean {
  const stack: object[] = [root];
  while (stack.length) {
    const v = stack.pop()!;
    if (Array.isArray(v)) {
      for (const child of v) if (typeof child === 'object' && child !== null) stack.push(child);
      continue;
    }
    for (const key of Object.keys(v)) {
      if (masked.has(key.toLowerCase())) return true;
      const child = (v as Record<string, unknown>)[key];
      if (typeof child === 'object' && child !== null) stack.push(child);
    }
  }
  return false;
}

/**
 * A deep copy with the masked values replaced. Keys are defined, not assigned: a client key
 * "__proto__" stays an own key of the copy (as JSON.parse made it), instead of setting the
 * copy's prototype.
 */
function maskedCopy(root: Record<string, unknown>, masked: ReadonlySet<string>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  const stack: [source: object, target: Record<string, unknown> | unknown[]][] = [[root, copy]];
  while (stack.length) {
    const [source, target] = stack.pop()!;
    if (Array.isArray(source)) {
      const out = target as unknown[];
      for (let i = 0; i < source.length; i++) out[i] = copyOf(source[i], stack);
      continue;
    }
    for (const key of Object.keys(source)) {
      const value = masked.has(key.toLowerCase()) ? MASKED : copyOf((source as Record<string, unknown>)[key], stack);
      Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
    }
  }
  return copy;
}

/** a primitive as it is; an object or array as an empty container, queued to be filled */
function copyOf(value: unknown, stack: [object, Record<string, unknown> | unknown[]][]): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const container: Record<string, unknown> | unknown[] = Array.isArray(value) ? [] : {};
  stack.push([value, container]);
  return container;
}
