/**
 * The clerk's window renderers, drawn by React on the server (no browser needed for the markup):
 * yes/no radios for booleans, a checkbox group for multiple-choice code lists, and a fieldset
 * for object fields, which the vanilla set leaves out.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { JsonForms } from '@jsonforms/react';
import type { JsonSchema7, UISchemaElement } from '@jsonforms/core';
import { cells, multiEnumTester, objectTester, renderers, yesNoTester } from './index.js';

const schema: JsonSchema7 = {
  type: 'object',
  properties: {
    hiring: { type: 'boolean', title: '是否招用员工' },
    invoiceTypes: {
      type: 'array',
      title: '发票种类',
      uniqueItems: true,
      items: { type: 'string', enum: ['ordinary', 'vatSpecial'] },
    },
    taxHandler: {
      type: 'object',
      title: '办税人',
      properties: { name: { type: 'string', title: '姓名' } },
    },
  },
};
const control = (name: string): UISchemaElement =>
  ({ type: 'Control', scope: `#/properties/${name}` }) as UISchemaElement;
const uischema = {
  type: 'VerticalLayout',
  elements: [control('hiring'), control('invoiceTypes'), control('taxHandler')],
} as UISchemaElement;

const draw = (data: Record<string, unknown>) =>
  renderToStaticMarkup(createElement(JsonForms, { schema, uischema, data, renderers, cells }));

describe('forms/src/renderers', () => {
  it('a boolean is two radios, 是 and 否, with the answer checked', () => {
    const html = draw({ hiring: false });
    expect(html.match(/type="radio"/g)).toHaveLength(2);
    expect(html).toMatch(/<input type="radio"[^>]*checked=""[^>]*\/>否/);
    expect(html).not.toMatch(/type="checkbox"[^>]*id="[^"]*hiring/);
  });

  it('a multiple-choice code list is one checkbox per code, the chosen ones checked', () => {
    const html = draw({ invoiceTypes: ['vatSpecial'] });
    expect(html.match(/type="checkbox"/g)).toHaveLength(2);
    expect(html).toMatch(/<input type="checkbox"[^>]*checked=""[^>]*\/>vatSpecial/);
    expect(html).toMatch(/<input type="checkbox"(?![^>]*checked)[^>]*\/>ordinary/);
  });

  it('an object field is a fieldset with its own fields inside', () => {
    const html = draw({ taxHandler: { name: '李四' } });
    expect(html).toMatch(
      /<fieldset class="control gov-object" data-path="taxHandler"><legend>办税人<\/legend>/,
    );
    expect(html).toContain('value="李四"');
  });

  it('the testers rank above the vanilla renderers only for what they draw', () => {
    const ctx = { rootSchema: schema, config: {} } as never;
    expect(yesNoTester(control('hiring'), schema, ctx)).toBe(5);
    expect(yesNoTester(control('invoiceTypes'), schema, ctx)).toBe(-1);
    expect(multiEnumTester(control('invoiceTypes'), schema, ctx)).toBe(5);
    expect(objectTester(control('taxHandler'), schema, ctx)).toBe(2);
  });
});
