/** Personal numbers are masked wherever they appear in a logged or shown string, however they are written. */
import { scrubText } from './scrub.js';

const ID = '440402199003071232';
const MOBILE = '13800138000';

describe('scrubText', () => {
  it.each([
    [`/api/x/${ID}`, '/api/x/440402********1232'],
    [`"idNumber":"${ID}"`, '"idNumber":"440402********1232"'],
    [`%22${ID}%22`, '%22440402********1232%22'],
    [`q=${ID.toLowerCase()}`, 'q=440402********1232'],
    ['old id440402900307123', 'old id440402******123'],
    [`tel:${MOBILE}`, 'tel:138****8000'],
    [`+86${MOBILE}`, '+86138****8000'],
    [`86${MOBILE}`, '86138****8000'],
    [`%2B86${MOBILE}`, '%2B86138****8000'],
    [`%3D${MOBILE}`, '%3D138****8000'],
    ['138-0013-8000', '138-****-8000'],
    ['138 0013 8000', '138 ****-8000'.replace('-', ' ')],
  ])('%s → %s', (text, masked) => {
    expect(scrubText(text)).toBe(masked);
  });

  it('leaves other numbers alone: timestamps, amounts, order numbers', () => {
    for (const text of ['at 1796629886404', 'amount 52000', 'REG-20261125-0001', 'seq 123456789'])
      expect(scrubText(text)).toBe(text);
  });
});
