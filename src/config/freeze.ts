/**
 * Deep freezing of the loaded configuration, Maps included (Object.freeze alone leaves a Map's
 * `set`, `delete` and `clear` working).
 * @module
 */

/** A Map whose content cannot change after construction. */
class FrozenMap<K, V> extends Map<K, V> {
  constructor(entries: Iterable<readonly [K, V]>) {
    super();
    // Filled through the base methods: the overrides below refuse every change.
    for (const [k, v] of entries) Map.prototype.set.call(this, k, v);
  }

  override set(): this {
    throw new TypeError('The configuration is frozen');
  }

  override delete(): boolean {
    throw new TypeError('The configuration is frozen');
  }

  override clear(): void {
    throw new TypeError('The configuration is frozen');
  }
}

/** Freeze `value` and everything reachable from it; Maps are replaced by frozen copies. */
export function deepFreeze<T>(value: T): T {
  return freezeValue(value) as T;
}

function freezeValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Map) {
    const entries: Array<[unknown, unknown]> = [];
    for (const [k, v] of value) entries.push([k, freezeValue(v)]);
    return Object.freeze(new FrozenMap(entries));
  }
  if (Object.isFrozen(value)) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = freezeValue(value[i]);
    return Object.freeze(value);
  }
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) obj[key] = freezeValue(obj[key]);
  return Object.freeze(obj);
}
