/**
 * Deep copies of plain data (objects, arrays, primitives), used wherever data crosses a boundary
 * it must not be shared across: variables let into an instance, views handed to callers, a case
 * drafted before a change is committed. Several times faster than structuredClone, which
 * serialises and deserialises; anything else (cycles, Dates, Maps, deep nesting) goes to
 * structuredClone itself.
 */

const TOO_DEEP = Symbol('too deep');

/**
 * JSON gives `__proto__` as an ordinary own member (request bodies may hold one); assigned by key
 * it would set the copy's prototype instead, so such an object goes to structuredClone, which
 * keeps it as a member.
 */
const PROTO_KEY = '__proto__';

/**
 * `owned`: the value is data the instance already owns (its variables and tasks, as deepCopy or a
 * store's JSON let them in). Such an object is copied by spread, which clones its shape in one go
 * where a key-by-key copy looks up a transition per key; spread would also keep symbol-keyed
 * properties, which owned data never has and which structuredClone drops.
 */
function copyValue(value: unknown, depth: number, owned: boolean): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > 64) throw TOO_DEEP; // a cycle or an unusual nesting: structuredClone handles it
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyValue(value[i], depth + 1, owned);
    return out;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw TOO_DEEP; // Date, Map…: structuredClone's rules
  if (owned) {
    const out: Record<string, unknown> = { ...value };
    for (const key in out) {
      const v = out[key];
      // Spread made any `__proto__` member an own one, so assigning it writes the member.
      if (v !== null && typeof v === 'object') out[key] = copyValue(v, depth + 1, true);
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const key in value) {
    if (key === PROTO_KEY) throw TOO_DEEP;
    out[key] = copyValue((value as Record<string, unknown>)[key], depth + 1, false);
  }
  return out;
}

function copyOrClone<T>(value: T, owned: boolean): T {
  if (value === null || typeof value !== 'object') return value;
  try {
    return copyValue(value, 0, owned) as T;
  } catch (err) {
    if (err !== TOO_DEEP) throw err;
    return structuredClone(value);
  }
}

/**
 * A deep copy, the same as structuredClone(value) for what variables and tasks hold (plain
 * objects, arrays and primitives), several times faster: structuredClone serialises and
 * deserialises. Anything else (cycles, Dates, Maps, deep nesting) goes to structuredClone itself.
 */
export function deepCopy<T>(value: T): T {
  return copyOrClone(value, false);
}

/** deepCopy for data the instance already owns (see copyValue), for the views handed to callers: faster. */
export function copyOwned<T>(value: T): T {
  return copyOrClone(value, true);
}

/**
 * A value as JSON carries it, which is what a durable store keeps: JSON's rules, faster for plain
 * data. A Date becomes its ISO text (toJSON), NaN and ±Infinity become null, an undefined member
 * (or a function's) is left out and in a list becomes null. Undefined when JSON leaves the whole
 * value out. Throws JSON.stringify's TypeError for what JSON cannot hold (a cycle, a BigInt).
 * Variables let into an instance go through this: the process that ran a command then decides on
 * the same values as one reading them from the store after a restart.
 */
export function jsonCopy(value: unknown): unknown {
  try {
    return jsonValue(value, 0);
  } catch (err) {
    if (err !== TOO_DEEP) throw err;
  }
  const text = JSON.stringify(value) as string | undefined;
  return text === undefined ? undefined : JSON.parse(text);
}

/** jsonCopy for plain data; TOO_DEEP for anything else (a toJSON, a class, deep nesting), which JSON itself copies. */
function jsonValue(value: unknown, depth: number): unknown {
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? (value === 0 ? 0 : value) : null; // -0 is "0" in JSON
    case 'object':
      break;
    default:
      throw TOO_DEEP; // undefined, a function, a symbol or a BigInt on its own: JSON's rules
  }
  if (depth > 64) throw TOO_DEEP;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      out[i] =
        v === undefined || typeof v === 'function' || typeof v === 'symbol' ? null : jsonValue(v, depth + 1);
    }
    return out;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw TOO_DEEP;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') throw TOO_DEEP;
  const out: Record<string, unknown> = {};
  for (const key in value) {
    if (key === PROTO_KEY) throw TOO_DEEP;
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    out[key] = jsonValue(v, depth + 1);
  }
  return out;
}
