/**
 * Locations as @cfworker/json-schema reports them (`#/investors/0/name`: a JSON Pointer in a URI
 * fragment, RFC 6901 §6), read back: the path they name, and the value there. The browser's form
 * checks and the designer's bundle checks both turn its output units into messages with these.
 */

/** `#/investors/0/name` → ['investors', '0', 'name']; `#` → []. */
export function pointerPath(location: string): string[] {
  const pointer = location.replace(/^#/, '');
  if (pointer === '') return [];
  return pointer
    .split('/')
    .slice(1)
    .map((s) => decodeURIComponent(s).replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The value at `path` in `root`, or undefined where there is none. */
export function valueAt(root: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>(
    (v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined),
    root,
  );
}
