/** Unified social credit code (统一社会信用代码, GB 32100): 18 characters, check character last. */

export type CreditCodeProblem = 'shape' | 'region' | 'checksum';

const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY'; // 31 characters: no I, O, S, V, Z
const weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]; // 3^i mod 31
/** Registering authorities: 1–9, A (military), N (agriculture), Y (other). */
const authorities = '123456789ANY';

export function creditCodeCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += alphabet.indexOf(first17[i]!) * weights[i]!;
  const c = 31 - (sum % 31);
  return alphabet[c === 31 ? 0 : c]!;
}

export function checkCreditCode(value: string): { ok: true } | { ok: false; problem: CreditCodeProblem } {
  if (!/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(value) || !authorities.includes(value[0]!))
    return { ok: false, problem: 'shape' };
  if (!/^\d{6}$/.test(value.slice(2, 8))) return { ok: false, problem: 'region' };
  if (creditCodeCheckChar(value.slice(0, 17)) !== value[17]) return { ok: false, problem: 'checksum' };
  return { ok: true };
}

/**
 * The optional second check on characters 9–17 (GB 11714 organisation code). Not every issued code
 * passes it, so it is a warning for the clerk, never a refusal.
 */
export function organisationCodeLooksValid(creditCode: string): boolean {
  const body = creditCode.slice(8, 16);
  const w = [3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const ch = body[i]!;
    const v = /\d/.test(ch) ? Number(ch) : ch.charCodeAt(0) - 55; // A=10 … Z=35
    sum += v * w[i]!;
  }
  const c = 11 - (sum % 11);
  return creditCode[16] === (c === 10 ? 'X' : c === 11 ? '0' : String(c));
}
