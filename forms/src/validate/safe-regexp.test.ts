import type { BundleDefinition } from '../bundle/index.js';
import { exampleCodes, readExampleBundle } from '../bundle/examples.js';
import { loadBundle } from '../bundle/load.js';
import { fieldLibrary } from '../library/index.js';
import { compileForm } from '../merge/index.js';
import { samples } from '../testing/samples.js';
import { linearRegExp, patternProblem, tryLinearRegExp } from './safe-regexp.js';
import { validateForm } from './validator.js';

/** business-startup with a pattern an analyst put on the enterprise name of one item. */
function withNamePattern(pattern: string): BundleDefinition {
  const bundle = structuredClone(readExampleBundle('business-startup'));
  const bank = bundle.items.find((i) => i.code === 'bank-appointment')!;
  bank.fields.find((f) => f.field === 'companyName')!.constraints = { pattern };
  return loadBundle(bundle);
}

/** Every `pattern` anywhere in a schema. */
function patternsIn(schema: unknown): string[] {
  if (!schema || typeof schema !== 'object') return [];
  return Object.entries(schema).flatMap(([key, value]) =>
    key === 'pattern' && typeof value === 'string' ? [value] : patternsIn(value),
  );
}

describe('bundle patterns run in linear time', () => {
  it('validates a 5,000-character answer against ^(a+)+$ through the form validator and returns', () => {
    // On the backtracking RegExp, 30 characters took minutes; this would not return at all.
    const form = compileForm(withNamePattern('^(a+)+$'));
    const sample = samples['business-startup'] as Record<string, unknown>;
    const long = validateForm(form, { ...sample, companyName: `${'a'.repeat(5000)}!` });
    expect(long.errors.filter((e) => e.field === 'companyName').map((e) => e.keyword)).toEqual([
      'pattern',
      'maxLength',
    ]);
    expect(validateForm(form, { ...sample, companyName: 'aaaaa' })).toEqual({ valid: true, errors: [] });
  });

  it.each([
    ['\\s (the ideographic space)', '^\\S+$', ['王小明', '王\u3000小明', 'a\u00a0b', 'ab']],
    ['\\s and \\S in a class', '^[^\\s]+[\\S\\s]$', ['王小明', '王\u3000', '\u3000\u3000', 'a\n']],
    ['. (not \\r, U+2028)', '^a.b$', ['axb', 'a\rb', 'a\u2028b', 'a\nb', 'a王b']],
    ['. on a character beyond the BMP', '^.$', ['𠮷', '😀', 'ab']],
    ['\\p{Script=Han}', '^[\\p{Script=Han}·]+$', ['王𠮷', '买买提·艾力', 'Wang', '〇']],
    ['\\u escapes and a surrogate pair', '^\\u00b7\\u{1F600}\\uD83D\\uDE00$', ['·😀😀', '·😀']],
    ['[ in a class (no POSIX class)', '^[[:alpha:]+[0-9]$', [':1', '[[2', 'a', 'b1']],
    ['[] (nothing) and [^] (anything)', '^(?:[][a]|x[^])$', ['a', '[', 'x\n', 'x']],
    ['\\b in a class (backspace)', '^[\\b]$', ['\b', 'b']],
  ])('means what JavaScript means: %s', (_what, pattern, inputs) => {
    const js = new RegExp(pattern, 'u');
    const linear = linearRegExp(pattern, 'u');
    for (const input of inputs) expect([input, linear.test(input)]).toEqual([input, js.test(input)]);
  });

  it('names what the linear-time engine cannot run, and a pattern that is none (zh / en)', () => {
    expect(patternProblem('^(?=.*[0-9])[A-Z0-9]{10}$')).toEqual({
      zh: '使用了先行断言 (?=…)、(?!…)，服务器的线性时间正则引擎 (RE2) 不支持',
      en: "uses lookahead (?=…), (?!…), which the server's linear-time regular expression engine (RE2) does not support",
    });
    expect(patternProblem('(?<!0)\\d+')?.en).toMatch(/^uses lookbehind/);
    expect(patternProblem('^(\\d)\\1$')?.zh).toMatch(/^使用了反向引用/);
    expect(patternProblem('^(?<d>\\d)\\k<d>$')?.en).toMatch(/^uses back-references/);
    expect(patternProblem('\\p{Letter}')?.en).toBe(
      'uses "\\p{Letter}" (RE2: invalid character class range), which the server\'s linear-time regular expression engine (RE2) does not support',
    );
    // RE2 reads it, JavaScript (the browser's form) does not.
    expect(patternProblem('(?i)abc')).toEqual({
      zh: '不是有效的正则表达式',
      en: 'is not a valid regular expression',
    });
    expect(patternProblem('^[A-Z')?.en).toBe('is not a valid regular expression');
    expect(patternProblem(42)?.en).toBe('is not a valid regular expression');
    expect(patternProblem('^(a+)+$')).toBeNull();
  });

  it('refuses a pattern too large to check a long answer fast, and takes a counted one of a useful size', () => {
    // Matching time grows with the input times the program: a counted repetition is its count of copies.
    expect(patternProblem('^[\\p{L}\\p{N}]{1,1000}$')).toEqual({
      zh: '过于复杂：编译为 2003 条指令，服务器至多允许 500 条（{1,1000} 这样的计数重复按次数展开）',
      en: 'is too complex: it compiles to 2003 instructions, more than the 500 the server allows (a counted repetition such as {1,1000} counts once per repeat)',
    });
    expect(patternProblem('^[\\p{L}\\p{N}]{1,200}$')).toBeNull();
  });

  it("runs every pattern of the field library, the example forms and the example items' outputs", () => {
    const patterns = new Set([
      ...fieldLibrary.list().flatMap((f) => patternsIn(f.schema)),
      ...exampleCodes().flatMap((code) => patternsIn(compileForm(readExampleBundle(code)).schema)),
      ...exampleCodes().flatMap((code) => patternsIn(readExampleBundle(code).items)),
    ]);
    expect(patterns).toContain('^[A-Z][0-9]{9}$'); // the birth certificate's number (an output)
    expect(patterns.size).toBeGreaterThan(10);
    for (const pattern of patterns) expect([pattern, patternProblem(pattern)]).toEqual([pattern, null]);
  });
});

test('tryLinearRegExp: a matcher on RE2 for what RE2 takes, nothing for what it refuses', () => {
  const digits = tryLinearRegExp('^[0-9]{6}$');
  expect(digits?.test('100010')).toBe(true);
  expect(digits?.test('10001x')).toBe(false);
  expect(tryLinearRegExp('^(?=a)a$')).toBeUndefined(); // lookahead
  expect(tryLinearRegExp('^(a)\\1$')).toBeUndefined(); // back-reference
  expect(tryLinearRegExp('[')).toBeUndefined();
});
