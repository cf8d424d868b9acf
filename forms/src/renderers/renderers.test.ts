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

  it('an object field with rules beside its properties (a person’s document type) draws its fields once', () => {
    const person: JsonSchema7 = {
      type: 'object',
      title: '财务负责人',
      properties: {
        name: { type: 'string', title: '姓名' },
        idType: { type: 'string', enum: ['residentId', 'passport'] },
        idNumber: { type: 'string', title: '证件号码' },
      },
      allOf: [
        {
          if: { required: ['idType'], properties: { idType: { const: 'passport' } } },
          then: { properties: { idNumber: { pattern: '^[A-Za-z0-9]{5,20}$' } } },
        },
      ],
    };
    const html = renderToStaticMarkup(
      createElement(JsonForms, {
        schema: { type: 'object', properties: { financeOfficer: person } },
        uischema: control('financeOfficer'),
        data: { financeOfficer: { name: '李四' } },
        renderers,
        cells,
      }),
    );
    expect(html.match(/class="control gov-object"/g)).toHaveLength(1);
    expect(html).toContain('value="李四"');
  });

  it('a list of flat records is a table even when its records carry rules (a document type)', () => {
    const html = renderToStaticMarkup(
      createElement(JsonForms, {
        schema: {
          type: 'object',
          properties: {
            officers: {
              type: 'array',
              items: {
                type: 'object',
                properties: { name: { type: 'string' }, idType: { type: 'string', enum: ['passport'] } },
                allOf: [{ if: { required: ['idType'] }, then: { required: ['name'] } }],
              },
            },
          },
        },
        uischema: control('officers'),
        data: { officers: [{ name: '王五' }] },
        renderers,
        cells,
      }),
    );
    expect(html).toContain('<table');
    expect(html).not.toContain('gov-object');
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
