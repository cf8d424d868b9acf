import type { JSONSchema7 } from 'json-schema';
import { FieldLibrary, fieldLibrary } from './index.js';

/** Every nested object property name, so we can check each resolves to a library label. */
function nestedNames(schema: JSONSchema7): string[] {
  const items =
    schema.items && !Array.isArray(schema.items) && typeof schema.items === 'object'
      ? nestedNames(schema.items)
      : [];
  const props = Object.entries(schema.properties ?? {}).flatMap(([k, v]) => [
    k,
    ...(typeof v === 'object' ? nestedNames(v) : []),
  ]);
  return [...props, ...items];
}

describe('field library (要素库)', () => {
  const all = fieldLibrary.list();

  it('ships at least 60 fields with ASCII camelCase ids and zh/en labels', () => {
    expect(all.length).toBeGreaterThanOrEqual(60);
    for (const f of all) {
      expect(f.id).toMatch(/^[a-z][A-Za-z0-9]*$/);
      expect(f.label.zh).toMatch(/[\u4e00-\u9fff]/);
      expect(f.label.en).toMatch(/^[A-Z]/);
    }
  });

  it('covers the shared fields of the example bundles', () => {
    for (const id of [
      'name',
      'idType',
      'idNumber',
      'mobile',
      'creditCode',
      'regionCode',
      'address',
      'gender',
      'ethnicity',
      'companyName',
      'registeredCapital',
      'businessScope',
      'legalRepIdNumber',
      'bankAccount',
      'expectedStaff',
      'babyName',
      'motherIdNumber',
      'powerKw',
      'email',
    ]) {
      expect(fieldLibrary.has(id)).toBe(true);
    }
  });

  it('marks ID numbers, phones and bank accounts sensitive', () => {
    for (const id of [
      'idNumber',
      'legalRepIdNumber',
      'mobile',
      'guardianMobile',
      'bankAccount',
      'babyIdNumber',
    ]) {
      expect(fieldLibrary.get(id).sensitivity).toBe('sensitive');
    }
    expect(fieldLibrary.get('companyName').sensitivity).toBe('public');
  });

  it('keeps the format on the definition and in the schema', () => {
    expect(fieldLibrary.get('mobile').format).toBe('mobile-cn');
    expect(fieldLibrary.schemaOf('mobile')).toMatchObject({ format: 'mobile-cn', title: '手机号码' });
    expect(fieldLibrary.get('idNumber').idTypeField).toBe('idType');
  });

  it('resolves every nested property to a library label', () => {
    for (const f of all) {
      for (const n of nestedNames(f.schema)) expect([f.id, n, fieldLibrary.has(n)]).toEqual([f.id, n, true]);
    }
    expect(fieldLibrary.labelOf(['financeOfficer', 'idNumber'])).toEqual({
      zh: '财务负责人·证件号码',
      en: 'Finance officer – ID number',
    });
    expect(fieldLibrary.labelOf(['investors', '0', 'name']).zh).toBe('股东(出资人)·姓名');
  });

  it('labels every code of a code list in both languages, nested ones through the field of their name', () => {
    const codesOf = (schema: JSONSchema7): string[] | undefined => {
      const items = typeof schema.items === 'object' && !Array.isArray(schema.items) ? schema.items : {};
      return (schema.enum ?? items.enum) as string[] | undefined;
    };
    const nested = (schema: JSONSchema7): [string, JSONSchema7][] => {
      const items = typeof schema.items === 'object' && !Array.isArray(schema.items) ? schema.items : {};
      return Object.entries(schema.properties ?? items.properties ?? {}).flatMap(([k, v]) =>
        typeof v === 'object' ? [[k, v] as [string, JSONSchema7], ...nested(v)] : [],
      );
    };
    for (const f of all) {
      expect([f.id, Object.keys(f.codes ?? {})]).toEqual([f.id, codesOf(f.schema) ?? []]);
      for (const text of Object.values(f.codes ?? {})) {
        expect(text.zh.trim()).not.toBe('');
        expect(text.en).toMatch(/^[A-Z0-9]/);
      }
      for (const [name, sub] of nested(f.schema)) {
        const codes = codesOf(sub);
        if (codes)
          expect([f.id, name, codes.filter((c) => !fieldLibrary.get(name).codes?.[c])]).toEqual([
            f.id,
            name,
            [],
          ]);
      }
    }
    expect(fieldLibrary.get('babyGender').codes?.['2']).toEqual({ zh: '女', en: 'Female' });
    expect(fieldLibrary.get('legalRepIdType').codes?.residentId).toEqual({
      zh: '居民身份证',
      en: 'Resident ID card',
    });
  });

  it('refuses unknown ids, duplicates and non-camelCase ids', () => {
    expect(() => fieldLibrary.get('nope')).toThrow(/unknown field "nope"/);
    const one = fieldLibrary.get('name');
    expect(() => new FieldLibrary([one, one])).toThrow(/defined twice/);
    expect(() => new FieldLibrary([{ ...one, id: 'Bad-Id' }])).toThrow(/camelCase/);
    expect(fieldLibrary.extend([{ ...one, id: 'nickName' }]).has('nickName')).toBe(true);
  });
});
