/**
 * Regular expressions from bundles (a field's `pattern` in an item's constraints, an output's
 * `pattern`) run on RE2JS, whose matching time is linear in the input, instead of JavaScript's
 * backtracking RegExp, on which `^(a+)+$` holds the server's one event loop for hours on a
 * 40-character answer. ajv takes `linearRegExp` as its `code.regExp`; the FEEL functions run
 * on the same engine (patches/feelin+*.patch).
 *
 * RE2's syntax is JavaScript's without lookaround and back-references. A bundle's pattern must
 * compile in both: as a JavaScript `u` expression (JSON Schema's patterns are ECMA-262) and on
 * RE2 (the server, and the browser's form checks: web/src/lib/validator.ts); `patternProblem`
 * says why not, at deployment. Where the two read
 * the same pattern differently, it is translated to mean what it means to JavaScript.
 */
import type { CodeOptions } from 'ajv';
import { RE2JS } from 're2js';
import type { Text } from '../library/index.js';

/** What JavaScript's `\s` matches with the `u` flag (RE2's is ASCII only, without the ideographic space U+3000). */
const JS_SPACE =
  '\\t\\n\\v\\f\\r \\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}\\x{feff}';
/** Every other character: JavaScript's `\S`, which a class can hold (`[^\S\n]`) as ranges. */
const JS_NON_SPACE =
  '\\x{0}-\\x{8}\\x{e}-\\x{1f}\\x{21}-\\x{9f}\\x{a1}-\\x{167f}\\x{1681}-\\x{1fff}\\x{200b}-\\x{2027}' +
  '\\x{202a}-\\x{202e}\\x{2030}-\\x{205e}\\x{2060}-\\x{2fff}\\x{3001}-\\x{fefe}\\x{ff00}-\\x{10ffff}';
/** What JavaScript's `.` matches without the `s` flag (RE2's also matches \r, U+2028, U+2029). */
const JS_DOT = '[^\\n\\r\\x{2028}\\x{2029}]';
/** JavaScript's `[]` (nothing) and `[^]` (anything); to RE2 a `]` first in a class is a character. */
const NOTHING = '[^\\x{0}-\\x{10ffff}]';
const ANYTHING = '[\\x{0}-\\x{10ffff}]';

/**
 * One escape at the sticky position: a surrogate pair \uD83D\uDE00, \u{…}, \uXXXX, a property
 * \p{Script=Han} / \p{gc=Lu} (RE2 spells them \p{Han}, \p{Lu}), or any other escaped character.
 */
const ESCAPE =
  /\\(?:u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})|u\{([0-9a-f]+)\}|u([0-9a-f]{4})|([pP])\{(?:(?:Script|sc|General_Category|gc)=)?([A-Za-z_]+)\}|(.))/isuy;

/** Escapes RE2 reads otherwise, spelled as JavaScript reads them; in a class, and elsewhere. */
const inClassEscapes: Record<string, string> = { s: JS_SPACE, S: JS_NON_SPACE, b: '\\x{8}' };
const escapes: Record<string, string> = { s: `[${JS_SPACE}]`, S: `[${JS_NON_SPACE}]` };

const hex = (codePoint: number) => `\\x{${codePoint.toString(16)}}`;

/** The escape at `at` in RE2's syntax, and how many characters of the pattern it takes. */
function escapeAt(pattern: string, at: number, inClass: boolean): [string, number] {
  ESCAPE.lastIndex = at;
  const m = ESCAPE.exec(pattern);
  if (!m) return ['\\', 1]; // a trailing backslash: RE2 refuses it, as JavaScript does
  const [escape, high, low, braced, four, property, name, other] = m;
  const taken = escape.length;
  if (high && low)
    return [hex(0x10000 + ((parseInt(high, 16) - 0xd800) << 10) + parseInt(low, 16) - 0xdc00), taken];
  if (braced || four) return [hex(parseInt((braced ?? four)!, 16)), taken];
  if (property) return [`\\${property}{${name}}`, taken];
  const spelled = inClass ? inClassEscapes[other!] : escapes[other!];
  return [spelled ?? escape, taken];
}

/** The pattern in RE2's syntax, matching what it matches as a JavaScript `u` regular expression. */
export function re2Syntax(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const [re2, taken] = escapeAt(pattern, i, inClass);
      out += re2;
      i += taken - 1;
    } else if (inClass) {
      if (c === ']') inClass = false;
      out += c === '[' ? '\\[' : c; // to RE2, [[:alpha:]] is a POSIX class
    } else if (pattern.startsWith('[]', i)) {
      out += NOTHING;
      i += 1;
    } else if (pattern.startsWith('[^]', i)) {
      out += ANYTHING;
      i += 2;
    } else {
      inClass = c === '[';
      out += c === '.' ? JS_DOT : c;
    }
  }
  return out;
}

/** A compiled pattern as ajv uses it: `test` finds a match anywhere, as RegExp.prototype.test. */
export class LinearRegExp {
  private readonly re2: RE2JS;

  constructor(readonly source: string) {
    this.re2 = RE2JS.compile(re2Syntax(source));
    // re2js answers test() of a pattern that starts with ^ on its one-pass engine, several times
    // slower here than its DFA (0.9 against 0.25 µs for ^[A-Za-z0-9()\-]{5,30}$ on an ID number).
    // Without it test() takes the DFA; both run in linear time and find the same matches.
    (this.re2.re2() as { onepass: unknown }).onepass = null;
  }

  test(s: string): boolean {
    return this.re2.test(s);
  }

  /** ajv keeps one compiled pattern per distinct toString() in a schema's scope. */
  toString(): string {
    return `/${this.source}/u`;
  }
}

/**
 * ajv's `code.regExp`. ajv passes the `u` flag (unicodeRegExp, its default), which RE2 always
 * has: it matches code points. `code` is for ajv's standalone code, which OneThing does not use.
 */
export const linearRegExp: NonNullable<CodeOptions['regExp']> = Object.assign(
  (pattern: string, flags: string) => {
    if (flags !== 'u') throw new Error(`linearRegExp: flags "${flags}" are not supported, only "u"`);
    return new LinearRegExp(pattern);
  },
  { code: 'require("forms/src/validate/safe-regexp.js").linearRegExp' },
);

/** The pattern on RE2, or undefined when RE2 refuses it (lookaround, a back-reference, bad syntax). */
export function tryLinearRegExp(pattern: string): LinearRegExp | undefined {
  try {
    return new LinearRegExp(pattern);
  } catch {
    return undefined;
  }
}

/**
 * The most instructions a bundle's pattern may compile to. Matching time is linear in the input
 * times about this size: the patterns of the field library and the examples take at most 60, and
 * 500 check a 1,000,000-character answer in under 0.1 s; past about 1,000, RE2's DFA gives way to
 * its step-by-step NFA and 10,000 (`(?:[\p{L}\p{N}]|[a-z]){1000}` ten times) took 40 s on 100,000.
 */
export const MAX_PATTERN_SIZE = 500;

const notARegExp: Text = { zh: '不是有效的正则表达式', en: 'is not a valid regular expression' };

const tooLarge = (size: number): Text => ({
  zh: `过于复杂：编译为 ${size} 条指令，服务器至多允许 ${MAX_PATTERN_SIZE} 条（{1,1000} 这样的计数重复按次数展开）`,
  en: `is too complex: it compiles to ${size} instructions, more than the ${MAX_PATTERN_SIZE} the server allows (a counted repetition such as {1,1000} counts once per repeat)`,
});

/** What RE2 refused, from its error: the part of the pattern it names, and why. */
function unsupported(err: unknown): Text {
  const { input, error } = err as { input?: unknown; error?: unknown };
  const fragment = String(input ?? '');
  const what: [RegExp, Text][] = [
    [/^\(\?<[=!]/, { zh: '后行断言 (?<=…)、(?<!…)', en: 'lookbehind (?<=…), (?<!…)' }],
    [/^\(\?[=!]/, { zh: '先行断言 (?=…)、(?!…)', en: 'lookahead (?=…), (?!…)' }],
    [/^\\(?:[1-9]|k)/, { zh: '反向引用 \\1、\\k<名称>', en: 'back-references \\1, \\k<name>' }],
  ];
  const known = what.find(([test]) => test.test(fragment))?.[1];
  const name = known ?? {
    zh: `“${fragment}”（RE2：${String(error)}）`,
    en: `"${fragment}" (RE2: ${String(error)})`,
  };
  return {
    zh: `使用了${name.zh}，服务器的线性时间正则引擎 (RE2) 不支持`,
    en: `uses ${name.en}, which the server's linear-time regular expression engine (RE2) does not support`,
  };
}

/**
 * Why a bundle's pattern is refused, as the end of a sentence naming it (“…的格式 pattern
 * 不是有效的正则表达式”), or null: not a JavaScript `u` regular expression, not one RE2 runs, or
 * one too large to run fast.
 */
export function patternProblem(pattern: unknown): Text | null {
  if (typeof pattern !== 'string') return notARegExp;
  try {
    new RegExp(pattern, 'u'); // compiling runs nothing: no backtracking here
  } catch {
    return notARegExp;
  }
  let size: number;
  try {
    size = RE2JS.compile(re2Syntax(pattern)).programSize();
  } catch (err) {
    return unsupported(err);
  }
  return size > MAX_PATTERN_SIZE ? tooLarge(size) : null;
}
