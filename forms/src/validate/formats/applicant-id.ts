/**
 * The applicant's document number at the window (申请人证件号码), checked as the server checks it
 * before a case is created: an organisation's unified social credit code; a person's resident ID
 * card number (a foreign permanent resident's newer card, starting with 9, by its check character
 * only), or another document's number of 5–40 letters, digits, hyphens or brackets (a Hong Kong
 * identity card is written A123456(7)). Spaces around it are dropped, lower case is read as upper.
 */
import type { Text } from '../../library/types.js';
import { checkCreditCode } from './credit-code.js';
import { checkResidentId, residentIdCheckChar } from './resident-id.js';

export function applicantIdNumberProblem(kind: 'person' | 'organisation', value: string): Text | undefined {
  const id = value.trim().toUpperCase();
  if (kind === 'organisation')
    return checkCreditCode(id).ok
      ? undefined
      : { zh: '统一社会信用代码不正确', en: 'not a valid unified social credit code' };
  if (/^\d{17}[\dX]$/.test(id)) {
    const valid = id.startsWith('9')
      ? residentIdCheckChar(id.slice(0, 17)) === id[17]
      : checkResidentId(id).ok;
    return valid ? undefined : { zh: '居民身份证号码不正确', en: 'not a valid resident ID card number' };
  }
  return /^[A-Z0-9()-]{5,40}$/.test(id)
    ? undefined
    : {
        zh: '证件号码应为居民身份证号码或 5–40 位字母、数字的其他证件号码',
        en: 'must be a resident ID card number, or another document number of 5–40 letters and digits',
      };
}
