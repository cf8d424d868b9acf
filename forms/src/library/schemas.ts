import type { JSONSchema7 } from 'json-schema';
import type { CodeLabels } from './codes.js';

/** Reusable schema fragments for the field library; the rules come from EXAMPLE-BUNDLES.md §0. */

/**
 * Han characters of every CJK block (Extension B and later too: 王𠮷, 𬌗; 〇 is Han as well), and
 * Latin letters. ajv and @cfworker/json-schema compile patterns with the `u` flag, which \p{…} needs.
 */
const nameChar = '\\p{Script=Han}A-Za-z';
/** The separating dot of minority and foreign names, as keyboards and IMEs type it: · • ・ ‧ */
const nameDot = '\\u00b7\\u2022\\u30fb\\u2027';

/** 2–50 chars: Chinese, Latin letters, middle dot (minority and foreign names), inner spaces. */
export const personName: JSONSchema7 = {
  type: 'string',
  minLength: 2,
  maxLength: 50,
  pattern: `^[${nameChar}${nameDot}][${nameChar}${nameDot} ]*[${nameChar}]$`,
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

/**
 * The number's rule for each document type (证件类型); a type without one keeps the loose shape.
 * A person in a block gets it from idDocumentRules, the top-level pairs from the unified form's
 * if/then (forms/src/merge/schema.ts). Each number that breaks a rule gets one message: a second
 * rule is checked only once the first holds.
 */
export const idNumberRules: Partial<Record<(typeof idTypes)[number], JSONSchema7>> = {
  // GB 11643: region, birth date, check character.
  residentId: { format: 'resident-id' },
  // 港澳台居民居住证: the resident-ID rule with the region codes 81 (HK), 82 (Macao), 83 (Taiwan).
  residencePermit: { format: 'resident-id', if: { format: 'resident-id' }, then: { pattern: '^8[123]' } },
  // 港澳居民来往内地通行证: H (Hong Kong) or M (Macao) and 8 digits, or 10 on older permits.
  hkMacaoTravelPermit: { pattern: '^[HM]([0-9]{8}|[0-9]{10})$' },
  // 台湾居民来往大陆通行证: 8 digits, or 10 characters on older permits.
  taiwanTravelPermit: { pattern: '^([0-9]{8}|[0-9A-Z]{10})$' },
  passport: { pattern: '^[A-Za-z0-9]{5,20}$' },
};

/**
 * A person's document inside a block (a director, the finance officer): a document type and number
 * under the rules of the top-level pairs. Without a type the number is a resident ID card's, as it
 * was before blocks had a type, so earlier data stays valid.
 */
export const idDocument: Record<string, JSONSchema7> = { idType, idNumber: anyIdNumber };
export const idDocumentRules: JSONSchema7[] = Object.entries(idNumberRules).map(([type, rule]) => ({
  // The resident-ID card's `if` holds when no type is given too (properties is true without it).
  if: { ...(type === 'residentId' ? {} : { required: ['idType'] }), properties: { idType: { const: type } } },
  then: { properties: { idNumber: rule } },
}));

export const mobile: JSONSchema7 = { type: 'string', format: 'mobile-cn' };
export const creditCode: JSONSchema7 = { type: 'string', format: 'credit-code' };
export const divisionCode: JSONSchema7 = { type: 'string', format: 'division-code' };
/** Down to town/street (9 digits, statistical code) or village/community (12): decides town-level items. */
export const townshipCode: JSONSchema7 = { ...divisionCode, pattern: '^\\d{9}(\\d{3})?$' };
export const detailAddress: JSONSchema7 = { type: 'string', minLength: 5, maxLength: 200 };
export const isoDate: JSONSchema7 = { type: 'string', format: 'date' };
export const positive: JSONSchema7 = { type: 'number', exclusiveMinimum: 0 };
export const nonNegative: JSONSchema7 = { type: 'number', minimum: 0 };
/**
 * At most `places` decimals, checked on the decimal value by the keyword forms/src/validate adds to
 * ajv. Not multipleOf: 0.000001 · n in binary floating point turned away amounts such as 8591.95.
 */
export const decimalPlaces = (places: number): JSONSchema7 => ({ decimalPlaces: places }) as JSONSchema7;
export const count = (minimum = 0, maximum = 100000): JSONSchema7 => ({ type: 'integer', minimum, maximum });
export const text = (minLength: number, maxLength: number): JSONSchema7 => ({
  type: 'string',
  minLength,
  maxLength,
});
/** One code of a code list (its labels go on the field definition: `codes`). */
export const oneOfCodes = (codes: CodeLabels): JSONSchema7 => ({ type: 'string', enum: Object.keys(codes) });
/** Some codes of a code list, each once. */
export const someOfCodes = (codes: CodeLabels): JSONSchema7 => ({
  type: 'array',
  items: oneOfCodes(codes),
  minItems: 1,
  uniqueItems: true,
});

/**
 * A person block {name, idType?, idNumber, mobile}; property names are library ids so labels resolve.
 * The document type is optional (resident ID card when absent); the others are required.
 */
export function personBlock(withId: boolean, withMobile: boolean): JSONSchema7 {
  const properties: Record<string, JSONSchema7> = { name: personName, ...(withId ? idDocument : {}) };
  if (withMobile) properties.mobile = mobile;
  const required = Object.keys(properties).filter((k) => k !== 'idType');
  return {
    type: 'object',
    properties,
    required,
    ...(withId ? { allOf: idDocumentRules } : {}),
    additionalProperties: false,
  };
}
