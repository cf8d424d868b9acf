/** The eval-free validator JSON Forms uses in the browser (CSP without unsafe-eval), on a real unified form. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { mergeBundle } from '../../forms/src/merge/index.js';
import { samples } from '../../forms/src/testing/samples.js';
import { createValidator } from '../../web/src/lib/validator.js';
import type { BundleDefinition } from '../../forms/src/bundle/index.js';

const bundle = JSON.parse(
  readFileSync(
    fileURLToPath(new URL('../../examples/business-startup/bundle.json', import.meta.url)),
    'utf8',
  ),
) as BundleDefinition;
const form = mergeBundle(bundle, samples['business-startup']!.situation as Record<string, unknown>);

test('the sample data is valid, as the server says', () => {
  const check = createValidator().compile(form.schema as object);
  expect(check(samples['business-startup'])).toBe(true);
  expect(check.errors).toEqual([]);
});

test('errors name the field with the forms package wording, in the chosen language', () => {
  let lang: 'zh' | 'en' = 'zh';
  const check = createValidator(() => lang).compile(form.schema as object);
  const { companyName: _c, ...rest } = samples['business-startup']!;
  const data = {
    ...rest,
    legalRepMobile: '1380013',
    investors: [
      { name: '张', idNumber: '440402199003071233', subscribedAmount: 100, contributionMethod: 'cash' },
    ],
  };
  expect(check(data)).toBe(false);
  const byPath = Object.fromEntries(
    check.errors!.map((e) => [
      `${e.instancePath}|${e.keyword}|${(e.params as { missingProperty?: string }).missingProperty ?? ''}`,
      e.message,
    ]),
  );
  expect(byPath['|required|companyName']).toBe('为必填项');
  expect(byPath['/legalRepMobile|format|']).toMatch(/手机号码/);
  expect(byPath['/investors/0/name|minLength|']).toBe('不能少于2个字符');
  expect(byPath['/investors/0/idNumber|format|']).toBe('居民身份证号码校验码错误');
  lang = 'en';
  check(data);
  expect(check.errors!.find((e) => e.instancePath === '/investors/0/name')!.message).toBe(
    'must have at least 2 characters',
  );
});

test('rule conditions (validate) answer yes or no without compiling code', () => {
  const ajv = createValidator();
  const when = { type: 'object', required: ['hiring'], properties: { hiring: { const: true } } };
  expect(ajv.validate(when, { hiring: true })).toBe(true);
  expect(ajv.validate(when, { hiring: false })).toBe(false);
  expect(ajv.validate(true, {})).toBe(true);
});

describe('a bundle’s pattern', () => {
  const schema = {
    type: 'object',
    properties: {
      code: { type: 'string', pattern: '^(a+)+$' },
      mobile: { type: 'string', format: 'mobile-cn', pattern: '^139' },
      // A field named "pattern" is a property, not the keyword.
      pattern: { type: 'string', minLength: 2 },
    },
  };

  test('is reported as a pattern error on its field, in the forms package wording', () => {
    const check = createValidator().compile(schema);
    expect(check({ code: 'aaa', mobile: '13912345678', pattern: 'ab' })).toBe(true);
    expect(check({ code: 'aab', mobile: '13812345678', pattern: 'ab' })).toBe(false);
    expect(check.errors!.map((e) => [e.instancePath, e.keyword, e.params, e.schemaPath])).toEqual([
      ['/code', 'pattern', { pattern: '^(a+)+$' }, '#/properties/code/pattern'],
      ['/mobile', 'pattern', { pattern: '^139' }, '#/properties/mobile/pattern'],
    ]);
    expect(check.errors![0]!.message).toMatch(/格式/);
    // Its own format still applies beside it.
    expect(check({ code: 'a', mobile: '1391234', pattern: 'ab' })).toBe(false);
    expect(check.errors!.map((e) => e.keyword)).toEqual(['format']);
  });

  test('runs on the linear-time engine, never on the browser’s RegExp', () => {
    const Native = globalThis.RegExp;
    const made: string[] = [];
    const record = (args: unknown[]) => made.push(String(args[0]));
    globalThis.RegExp = new Proxy(Native, {
      construct: (target, args) => (record(args), Reflect.construct(target, args)),
      apply: (target, self, args) => (record(args), Reflect.apply(target, self, args)),
    });
    const check = createValidator().compile(schema);
    try {
      expect(check({ code: 'aab' })).toBe(false);
    } finally {
      globalThis.RegExp = Native;
    }
    expect(made.filter((source) => source.includes('(a+)+'))).toEqual([]);
    // So an answer that fails at its end after 60 letters (2^60 steps of backtracking) is answered.
    expect(check({ code: `${'a'.repeat(60)}!` })).toBe(false);
    expect(check.errors!.map((e) => e.keyword)).toEqual(['pattern']);
  });
});
