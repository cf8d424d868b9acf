/**
 * 18-character resident ID number (公民身份号码, GB 11643): region, birth date, sequence, check.
 * Residence permits for HK/Macao/Taiwan residents use the same rule with 810000/820000/830000.
 */

export type ResidentIdProblem = 'shape' | 'region' | 'birthDate' | 'checksum';

export type ResidentIdCheck =
  | { ok: true; normalised: string; birthDate: string; gender: '1' | '2' }
  | { ok: false; problem: ResidentIdProblem };

const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const checkChars = '10X98765432';

/** GB/T 2260 province-level prefixes (plus 81–83 for residence permits); retired lower codes stay valid. */
export const provincePrefixes = new Set([
  '11',
  '12',
  '13',
  '14',
  '15',
  '21',
  '22',
  '23',
  '31',
  '32',
  '33',
  '34',
  '35',
  '36',
  '37',
  '41',
  '42',
  '43',
  '44',
  '45',
  '46',
  '50',
  '51',
  '52',
  '53',
  '54',
  '61',
  '62',
  '63',
  '64',
  '65',
  '71',
  '81',
  '82',
  '83',
]);

/** China Standard Time (UTC+8, no daylight saving): the calendar birth dates are written in. */
const cstOffsetMs = 8 * 60 * 60 * 1000;

/**
 * A real calendar date yyyyMMdd, not before 1900 and not after `today`'s date in Beijing: a baby
 * born today has today's date even before 08:00, when the UTC date is still yesterday.
 */
export function isPastDate(yyyymmdd: string, today: Date): boolean {
  const [y, m, d] = [
    Number(yyyymmdd.slice(0, 4)),
    Number(yyyymmdd.slice(4, 6)),
    Number(yyyymmdd.slice(6, 8)),
  ];
  const date = new Date(Date.UTC(y, m - 1, d));
  const real = date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
  // Both as UTC midnights of calendar dates: the birth date, and today's date in Beijing.
  const beijing = new Date(today.getTime() + cstOffsetMs);
  const todayDate = Date.UTC(beijing.getUTCFullYear(), beijing.getUTCMonth(), beijing.getUTCDate());
  return real && y >= 1900 && date.getTime() <= todayDate;
}

export function residentIdCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * weights[i]!;
  return checkChars[sum % 11]!;
}

export function checkResidentId(value: string, today: Date = new Date()): ResidentIdCheck {
  const id = value.toUpperCase(); // lower-case x is normalised, not refused
  if (!/^\d{17}[\dX]$/.test(id)) return { ok: false, problem: 'shape' };
  if (!provincePrefixes.has(id.slice(0, 2))) return { ok: false, problem: 'region' };
  const birth = id.slice(6, 14);
  if (!isPastDate(birth, today)) return { ok: false, problem: 'birthDate' };
  if (residentIdCheckChar(id.slice(0, 17)) !== id[17]) return { ok: false, problem: 'checksum' };
  const gender = Number(id[16]) % 2 === 1 ? '1' : '2';
  return {
    ok: true,
    normalised: id,
    birthDate: `${birth.slice(0, 4)}-${birth.slice(4, 6)}-${birth.slice(6)}`,
    gender,
  };
}
