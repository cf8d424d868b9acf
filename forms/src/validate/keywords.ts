import { _, str, type Ajv, type KeywordCxt } from 'ajv';

/**
 * Whether a number has at most `places` decimals as written in decimal (注册资本 ≤ 6). multipleOf
 * 0.000001 divides in binary floating point and turned away 99999.99 and 8591.95; rounding to
 * `places` decimals gives back the very same number exactly when it had no more.
 */
export function hasAtMostDecimals(value: number, places: number): boolean {
  return Number(value.toFixed(places)) === value;
}

/** Our keywords, as field schemas use them (the field library's schemas.ts): `decimalPlaces: n`. */
export function addGovKeywords(ajv: Ajv): Ajv {
  ajv.addKeyword({
    keyword: 'decimalPlaces',
    type: 'number',
    schemaType: 'number',
    metaSchema: { type: 'integer', minimum: 0, maximum: 20 },
    error: {
      message: ({ schemaCode }) => str`must have at most ${schemaCode} decimal places`,
      params: ({ schemaCode }) => _`{limit: ${schemaCode}}`,
    },
    code(cxt: KeywordCxt) {
      const check = cxt.gen.scopeValue('func', { ref: hasAtMostDecimals });
      cxt.fail(_`!${check}(${cxt.data}, ${cxt.schemaCode})`);
    },
  });
  return ajv;
}
