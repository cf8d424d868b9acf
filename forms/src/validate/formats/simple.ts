import { provincePrefixes } from './resident-id.js';

/** Mainland mobile numbers: 11 digits starting 13–19; no carrier prefixes hard-coded. */
export const isMobile = (v: string) => /^1[3-9]\d{9}$/.test(v);

/** Six-digit postal code (邮政编码). */
export const isPostalCode = (v: string) => /^\d{6}$/.test(v) && v !== '000000';

/**
 * Administrative-division code (GB/T 2260): 6 digits with a real province prefix; 9 or 12 digits
 * for towns and villages (statistical codes). Retired codes pass: documents keep old codes.
 */
export const isDivisionCode = (v: string) =>
  /^(\d{6}|\d{9}|\d{12})$/.test(v) && provincePrefixes.has(v.slice(0, 2));

/** Bank account numbers: digits only; personal cards 16–19, corporate accounts vary (8–30). */
export const isBankAccount = (v: string) => /^\d{8,30}$/.test(v);

/** Luhn check for personal bank cards: a warning only (EXAMPLE-BUNDLES.md §0). */
export function luhnOk(card: string): boolean {
  let sum = 0;
  for (let i = 0; i < card.length; i++) {
    let d = card.charCodeAt(card.length - 1 - i) - 48;
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}
