/**
 * Instance-local ids (`t7`, `w12`, `s3`), made once per process and handed out again: every
 * instance numbers its tokens, waits and scopes from the same counter, so the same few hundred
 * strings recur. A fresh `t7` per use cost a concatenation, a number-to-string conversion and, at
 * each record access with it as the key, a look-up in V8's string table; a string kept here is
 * already the table's own (internalised), so records are read and written with it directly.
 */

/** Ids numbered beyond this are made fresh each time (an instance with very many steps). */
const KEPT = 4096;

const kept = new Map<string, string[]>();

/** V8's internalised copy of `s`: the key an object literal stores it under. */
function internalised(s: string): string {
  return Object.keys({ [s]: 0 })[0]!;
}

/** The local id `<prefix><n>`, the same string each time for small n. */
export function localId(prefix: string, n: number): string {
  if (n >= KEPT) return `${prefix}${n}`;
  let ids = kept.get(prefix);
  if (ids === undefined) kept.set(prefix, (ids = []));
  return (ids[n] ??= internalised(`${prefix}${n}`));
}

const DOT = 46; // '.'

/**
 * The local part of a public id (`<instance>.w7` → `w7`): the kept string when it is a letter and
 * a number (every id this runtime makes), else a slice. Instance ids may hold dots; the local
 * part never does.
 */
export function localPart(publicId: string): string {
  const end = publicId.length;
  // The dot found from the end by hand: the local part is a few characters long, and
  // String.prototype.lastIndexOf is a call into the runtime (≈1.5% of a multi-instance step).
  let dot = end - 1;
  while (dot >= 0 && publicId.charCodeAt(dot) !== DOT) dot--;
  // A letter, then digits without a leading zero (so the kept string reads the same).
  if (end - dot >= 3 && end - dot <= 6) {
    const first = publicId.charCodeAt(dot + 2);
    if (first > 48 && first <= 57) {
      let n = first - 48;
      let i = dot + 3;
      for (; i < end; i++) {
        const c = publicId.charCodeAt(i);
        if (c < 48 || c > 57) break;
        n = n * 10 + (c - 48);
      }
      const prefix = publicId[dot + 1]!;
      if (i === end && n < KEPT && isLetter(prefix)) return localId(prefix, n);
    }
  }
  return publicId.slice(dot + 1);
}

function isLetter(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
