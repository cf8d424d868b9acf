/** A supplement notice's form fields at the window: what is shown, from what, and what is sent. */
import { readExampleBundle } from '../../forms/src/bundle/examples.js';
import { mergeBundle } from '../../forms/src/merge/index.js';
import { samples } from '../../forms/src/testing/samples.js';
import {
  correctedData,
  correctionForm,
  hasFreeTextEntries,
  noticeFields,
  supplementBody,
} from '../../web/src/lib/corrections.js';

const { situation, ...data } = samples['business-startup']!;
const form = mergeBundle(readExampleBundle('business-startup'), situation as Record<string, unknown>);

test('the fields a notice names, once each, in its order; a part names its whole field', () => {
  const notice = {
    entries: [
      { fieldId: 'companyName', problem: 'a' },
      { materialId: 'premisesProof', problem: 'b' },
      { fieldId: 'legalRepMobile', problem: 'c' },
      { fieldId: 'companyName', problem: 'd' },
      { fieldId: 'financeOfficer.mobile', problem: 'e' },
      { fieldId: 'investors[1].name', problem: 'f' },
      { fieldId: 'officers[0]', problem: 'g' },
    ],
  };
  expect(noticeFields(notice)).toEqual([
    'companyName',
    'legalRepMobile',
    'financeOfficer',
    'investors',
    'officers',
  ]);
  expect(noticeFields(undefined)).toEqual([]);
});

test('the form cut down to the named fields, shown whatever the answers, from the case’s values', () => {
  const masked = { ...data, legalRepMobile: '139****5678' };
  const cut = correctionForm(form, ['companyName', 'legalRepMobile', 'noSuchField', 'situation'], masked);
  expect(Object.keys(cut.schema.properties)).toEqual(['companyName', 'legalRepMobile']);
  expect(cut.schema.properties.companyName).toEqual(form.schema.properties!.companyName);
  expect(cut.uischema.elements).toEqual([
    expect.objectContaining({ scope: '#/properties/companyName', i18n: 'companyName' }),
    expect.objectContaining({ scope: '#/properties/legalRepMobile', i18n: 'legalRepMobile' }),
  ]);
  expect(cut.uischema.elements.some((c) => 'rule' in c)).toBe(false);
  // A sensitive value reaches the window masked: it starts empty rather than be sent back masked.
  expect(cut.data).toEqual({ companyName: data.companyName });
});

test('only the named fields that have a value are sent', () => {
  const onScreen = { companyName: '珠海市新名字科技有限公司', legalRepMobile: '', address: '别处' };
  expect(correctedData(['companyName', 'legalRepMobile'], onScreen)).toEqual({
    companyName: '珠海市新名字科技有限公司',
  });
  expect(correctedData(['companyName'], undefined)).toEqual({});
});

test('entries naming neither a field nor a material are free text, answered at the window', () => {
  expect(hasFreeTextEntries({ entries: [{ fieldId: 'companyName' }, { materialId: 'premisesProof' }] })).toBe(
    false,
  );
  expect(hasFreeTextEntries({ entries: [{ fieldId: 'companyName' }, {}] })).toBe(true);
  expect(hasFreeTextEntries(undefined)).toBe(false);
});

test('a supplement sends what it has; nothing only to confirm free-text entries', () => {
  const provided = [{ id: 'premisesProof', status: 'provided' }];
  const renamed = { companyName: '珠海市新名字科技有限公司' };
  expect(supplementBody(renamed, [], false)).toEqual({ data: renamed });
  expect(supplementBody({}, provided, false)).toEqual({ materials: provided });
  expect(supplementBody(renamed, provided, true)).toEqual({ data: renamed, materials: provided });
  // Named fields left blank are not sent; with free-text entries open, an empty supplement answers them.
  expect(supplementBody(correctedData(['companyName'], { companyName: '' }), [], true)).toEqual({});
  expect(supplementBody({}, [], false)).toBeUndefined();
});
