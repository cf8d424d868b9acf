/** Open tasks of every department are merged in JavaScript in the order SQLite gives text. */
import { compareText } from '../port.js';

const sign = (n: number) => Math.sign(n);

it('orders strings as the bytes of their UTF-8, past U+FFFF too', () => {
  const pieces = [
    '',
    'a',
    'z',
    '0',
    '~',
    'é',
    '\u00ff',
    '\ud7ff',
    '\ue000',
    '\uffff',
    '\u{10000}',
    '\u{1f600}',
    '\u0000',
  ];
  const strings: string[] = [];
  for (const x of pieces) for (const y of pieces) strings.push(`1700000000000.${x}${y}`);
  for (const a of strings)
    for (const b of strings)
      expect([a, b, sign(compareText(a, b))]).toEqual([
        a,
        b,
        sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))),
      ]);
  // Where JavaScript's < differs: a character past U+FFFF against one from U+E000.
  expect('\u{10000}' < '\uffff').toBe(true);
  expect(compareText('\u{10000}', '\uffff')).toBeGreaterThan(0);
});
