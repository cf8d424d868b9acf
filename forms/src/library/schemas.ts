import type { JSONSchema7 } from 'json-schema';

/** Reusable schema fragments for the field library; the rules come from EXAMPLE-BUNDLES.md §0. */

/** 2–50 chars: Chinese, Latin letters, middle dot (minority and foreign names), inner spaces. */
export const personName: JSONSchema7 = {
  type: 'string',
  minLength: 2,
  maxLength: 50,
  pattern: '^[\\u3400-\\u9fffA-Za-z·•][\\u3400-\\u9fffA-Za-z·• ]*[\\u3400-\\u9fffA-Za-z]$',
};

export const idTypes = [
  'residentId',
  'residencePermit',
  'hkMacaoTravelPermit',
  'taiwanTravelPermit',
  'foreignPermanentId',
  'passport',
] as const;

export const idType: JSONSchema7 = { type: 'string', enum: [...idTypes] };

/** Loose shape for any document; the resident-ID rule is added when the type field says so. */
export const anyIdNumber: JSONSchema7 = { type: 'string', pattern: '^[A-Za-z0-9()\\-]{5,30}$' };

export const residentId: JSONSchema7 = { type: 'string', format: 'resident-id' };
export const mobile: JSONSchema7 = { type: 'string', format: 'mobile-cn' };
export const creditCode: JSONSchema7 = { type: 'string', format: 'credit-code' };
export const divisionCode: JSONSchema7 = { type: 'string', format: 'division-code' };
/** Down to town/street (9 digits, statistical code) or village/community (12): decides town-level items. */
export const townshipCode: JSONSchema7 = { ...divisionCode, pattern: '^\\d{9}(\\d{3})?$' };
export const detailAddress: JSONSchema7 = { type: 'string', minLength: 5, maxLength: 200 };
export const isoDate: JSONSchema7 = { type: 'string', format: 'date' };
export const positive: JSONSchema7 = { type: 'number', exclusiveMinimum: 0 };
export const nonNegative: JSONSchema7 = { type: 'number', minimum: 0 };
export const count = (minimum = 0, maximum = 100000): JSONSchema7 => ({ type: 'integer', minimum, maximum });
export const text = (minLength: number, maxLength: number): JSONSchema7 => ({
  type: 'string',
  minLength,
  maxLength,
});
export const oneOfCodes = (...codes: string[]): JSONSchema7 => ({ type: 'string', enum: codes });
export const someOfCodes = (...codes: string[]): JSONSchema7 => ({
  type: 'array',
  items: { type: 'string', enum: codes },
  minItems: 1,
  uniqueItems: true,
});

/** A person block {name, idNumber, mobile}; property names are library ids so labels resolve. */
export function personBlock(withId: boolean, withMobile: boolean): JSONSchema7 {
  const properties: Record<string, JSONSchema7> = { name: personName };
  if (withId) properties.idNumber = residentId;
  if (withMobile) properties.mobile = mobile;
  return { type: 'object', properties, required: Object.keys(properties), additionalProperties: false };
}
