import type { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { checkCreditCode } from './credit-code.js';
import { checkResidentId } from './resident-id.js';
import { isBankAccount, isDivisionCode, isMobile, isPostalCode } from './simple.js';

// ajv-formats is CommonJS: under NodeNext its default export may arrive wrapped once more.
type FormatsPlugin = typeof addFormatsModule.default;
const addFormats: FormatsPlugin =
  (addFormatsModule as unknown as { default?: FormatsPlugin }).default ??
  (addFormatsModule as unknown as FormatsPlugin);

/** Our formats by name, as used in field schemas (see GovFormat in the library). */
export const govFormats: Record<string, (value: string) => boolean> = {
  'resident-id': (v) => checkResidentId(v).ok,
  'credit-code': (v) => checkCreditCode(v).ok,
  'mobile-cn': isMobile,
  'postal-code-cn': isPostalCode,
  'division-code': isDivisionCode,
  'bank-account': isBankAccount,
};

export function addGovFormats(ajv: Ajv): Ajv {
  addFormats(ajv, ['date', 'date-time', 'email']);
  for (const [name, validate] of Object.entries(govFormats))
    ajv.addFormat(name, { type: 'string', validate });
  return ajv;
}

export { checkCreditCode, organisationCodeLooksValid } from './credit-code.js';
export { checkResidentId } from './resident-id.js';
export { isBankAccount, isDivisionCode, isMobile, isPostalCode, luhnOk } from './simple.js';
