/**
 * Personal numbers masked in free text: resident ID numbers, credit codes, old 15-digit IDs and
 * mainland mobiles, wherever they appear in a string that is logged or shown to staff who may not
 * read them (an error message, a URL, an incident). Pure, so the runtime can use it too.
 */

/**
 * Where a number may begin: not right after `notAfter` (a character that would make it part of a
 * longer token), or right after a percent-escape (`%22`, a quote in a URL), whose hex digits are
 * not part of the number.
 */
const start = (notAfter: string) => String.raw`(?:(?<!${notAfter})|(?<=%[0-9A-Fa-f]{2}))`;
/** 18-character resident IDs (GB 11643) and credit codes (GB 32100), 15-digit old IDs, mainland mobiles. */
const RESIDENT_ID = new RegExp(
  String.raw`${start('[0-9A-Za-z]')}(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])`,
  'g',
);
const CREDIT_CODE = new RegExp(
  String.raw`${start('[0-9A-Z]')}([0-9A-HJ-NPQRTUWXY]{2}\d{6})[0-9A-HJ-NPQRTUWXY]{9}([0-9A-HJ-NPQRTUWXY])(?![0-9A-Z])`,
  'g',
);
const OLD_ID = new RegExp(String.raw`${start(String.raw`\d`)}(\d{6})\d{6}(\d{3})(?!\d)`, 'g');
/** A mobile, also after the country code (+86, 86, %2B86) and written in groups (138-0013-8000, 138 0013 8000). */
const MOBILE = /(?:(?<!\d)|(?<=(?:^|\D)86))(1[3-9]\d)([- ]?)\d{4}\2(\d{4})(?!\d)/g;

export function scrubText(text: string): string {
  return text
    .replace(RESIDENT_ID, '$1********$2')
    .replace(CREDIT_CODE, '$1*********$2')
    .replace(OLD_ID, '$1******$2')
    .replace(MOBILE, '$1$2****$2$3');
}
