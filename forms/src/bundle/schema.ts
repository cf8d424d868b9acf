import type { JSONSchema7 } from 'json-schema';

/** JSON Schema (draft-07) of bundle.json; semantic checks (references, FEEL) are in load.ts. */

const code: JSONSchema7 = { type: 'string', pattern: '^[a-z][a-z0-9]*(-[a-z0-9]+)*$', maxLength: 64 };
const camelId: JSONSchema7 = { type: 'string', pattern: '^[a-z][A-Za-z0-9]*$', maxLength: 64 };
const text: JSONSchema7 = {
  type: 'object',
  properties: { zh: { type: 'string', minLength: 1 }, en: { type: 'string', minLength: 1 } },
  required: ['zh', 'en'],
  additionalProperties: false,
};
const feel: JSONSchema7 = { type: 'string', minLength: 1 };
const days: JSONSchema7 = { type: 'number', minimum: 0, maximum: 365 };

const objectOf = (properties: Record<string, JSONSchema7>, required: string[]): JSONSchema7 => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});

const question = objectOf(
  {
    id: camelId,
    label: text,
    type: { enum: ['choice', 'multiChoice', 'boolean', 'number'] },
    options: {
      type: 'array',
      minItems: 1,
      items: objectOf({ value: { type: 'string', minLength: 1 }, label: text }, ['value', 'label']),
    },
    minimum: { type: 'number' },
    maximum: { type: 'number' },
  },
  ['id', 'label', 'type'],
);

const material = objectOf(
  {
    id: camelId,
    name: text,
    form: { enum: ['original', 'copy', 'electronic'] },
    source: { enum: ['applicant', 'eLicence', 'shared', 'generated', 'output'] },
    eLicenceType: code,
    deferrable: { type: 'boolean' },
    commitment: { type: 'boolean' },
    commitmentWhen: feel,
  },
  ['id', 'name', 'form'],
);

const itemField = objectOf(
  {
    field: camelId,
    required: { type: 'boolean' },
    condition: feel,
    needsFull: { type: 'boolean' },
    constraints: { type: 'object' },
  },
  ['field'],
);

const itemMaterial = objectOf(
  {
    material: camelId,
    required: { type: 'boolean' },
    condition: feel,
    original: { type: 'boolean' },
    deferrable: { type: 'boolean' },
    commitment: { type: 'boolean' },
  },
  ['material'],
);

/** A result an item's approval records (types.ts ItemOutput). */
const output = objectOf(
  {
    key: camelId,
    label: text,
    format: { enum: ['credit-code', 'resident-id', 'division-code', 'date'] },
    pattern: { type: 'string', minLength: 1, maxLength: 500 },
    hint: text,
    maxLength: { type: 'integer', minimum: 1, maximum: 200 },
    sensitivity: { enum: ['public', 'personal', 'sensitive'] },
  },
  ['key', 'label'],
);

const item = objectOf(
  {
    code,
    name: text,
    department: code,
    promisedDays: days,
    condition: feel,
    after: { type: 'array', items: code, uniqueItems: true },
    fields: { type: 'array', items: itemField },
    materials: { type: 'array', items: itemMaterial },
    answers: { type: 'array', items: camelId, uniqueItems: true },
    issues: objectOf(
      {
        eLicenceType: code,
        fields: { type: 'array', items: camelId, uniqueItems: true },
        // 'resultNumber': the licence number identifies its holder (a business licence's number is the new credit code).
        holder: { enum: ['applicant', 'resultNumber'] },
      },
      ['eLicenceType', 'fields'],
    ),
    outputs: { type: 'array', items: output },
    needs: {
      type: 'array',
      items: objectOf({ item: code, output: camelId }, ['item', 'output']),
      uniqueItems: true,
    },
  },
  ['code', 'name', 'department', 'promisedDays', 'fields', 'materials'],
);

export const bundleSchema: JSONSchema7 = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://onething.example/schema/bundle.json',
  title: 'OneThing bundle (一件事) definition',
  ...objectOf(
    {
      $schema: { type: 'string' },
      code,
      version: { type: 'string', pattern: '^\\d+\\.\\d+\\.\\d+$' },
      name: text,
      leadDepartment: code,
      promisedDays: days,
      departments: {
        type: 'array',
        minItems: 1,
        items: objectOf({ code, name: text, kind: { enum: ['authority', 'company'] } }, [
          'code',
          'name',
          'kind',
        ]),
      },
      questions: { type: 'array', items: question },
      materials: { type: 'array', items: material },
      items: { type: 'array', minItems: 1, items: item },
      refuseWhen: {
        type: 'array',
        items: objectOf({ condition: feel, message: text }, ['condition', 'message']),
      },
      applicantAge: objectOf(
        {
          min: { type: 'integer', minimum: 0, maximum: 120 },
          belowRetirement: { type: 'boolean' },
          femaleRetirementAge: { enum: [50, 55] },
        },
        [],
      ),
    },
    [
      'code',
      'version',
      'name',
      'leadDepartment',
      'promisedDays',
      'departments',
      'questions',
      'materials',
      'items',
    ],
  ),
};
