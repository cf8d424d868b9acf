/** Code-table values on the department's page: the label the form's i18n table (or the library) has. */
import { readExampleBundle } from '../../forms/src/bundle/examples.js';
import { compileForm } from '../../forms/src/merge/index.js';
import { codeLabel } from '../../web/src/lib/form-labels.js';

const texts = { i18n: compileForm(readExampleBundle('flexible-employment')).i18n };

test('a code reads as its label, inside groups too; other values as they are', () => {
  expect(codeLabel(texts, 'education', '20', 'zh')).toBe('大学本科');
  expect(codeLabel(texts, 'pensionBaseTier', '60', 'en')).toBe('60%');
  expect(codeLabel(texts, 'education', '张三', 'zh')).toBe('张三');
  expect(codeLabel(texts, 'education', 'label', 'zh')).toBe('label');
  const startup = { i18n: compileForm(readExampleBundle('business-startup')).i18n };
  expect(codeLabel(startup, 'investors.contributionMethod', 'inKind', 'zh')).toBe('实物');
});

test('a form without code labels: the library answers by the field’s name', () => {
  expect(codeLabel({}, 'babyGender', '1', 'en')).toBe('Male');
  expect(codeLabel({}, 'officers.officerRole', 'manager', 'zh')).toBe('经理');
  expect(codeLabel({}, 'companyName', 'llc', 'zh')).toBe('llc');
});
