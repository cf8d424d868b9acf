/** JSON Schema of the network file (examples/network/*.json): the shape; load.ts checks the references. */

const text = {
  type: 'object',
  additionalProperties: false,
  properties: { zh: { type: 'string', minLength: 1 }, en: { type: 'string', minLength: 1 } },
  required: ['zh', 'en'],
};
const code = { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,63}$' };
const regionCode = { type: 'string', pattern: '^(\\d{6}|\\d{9}|\\d{12})$' };
const hhmm = { type: 'string', pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' };
const level = { enum: ['city', 'district', 'town', 'village'] };
const count = (minimum = 0) => ({ type: 'integer', minimum });

const hours = {
  type: 'object',
  additionalProperties: false,
  properties: {
    sessions: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        properties: { from: hhmm, to: hhmm },
        required: ['from', 'to'],
      },
    },
  },
  required: ['sessions'],
};

const appointmentProperties = {
  slotMinutes: { type: 'integer', minimum: 5, maximum: 240 },
  perWindow: count(1),
  capacity: { type: 'object', additionalProperties: count(0) },
  horizonDays: { type: 'integer', minimum: 1, maximum: 90 },
  earlyMinutes: count(),
  lateMinutes: count(),
  noShowLimit: count(1),
  noShowDays: count(1),
};

export const networkSchema = {
  $id: 'https://onething.example/schemas/network.json',
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    $comment: { type: 'string' },
    version: { type: 'string', minLength: 1 },
    settings: {
      type: 'object',
      additionalProperties: false,
      properties: {
        defaultItemLevel: level,
        elderlyAge: { type: 'integer', minimum: 50, maximum: 100 },
        appointments: { type: 'object', additionalProperties: false, properties: appointmentProperties },
        hours,
      },
    },
    windowTypes: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        properties: {
          code,
          name: text,
          kind: { enum: ['comprehensive', 'field', 'other'] },
          prefix: { type: 'string', pattern: '^[A-Z]{1,2}$' },
        },
        required: ['code', 'name', 'kind', 'prefix'],
      },
    },
    regions: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        properties: {
          code: regionCode,
          name: text,
          kind: { enum: ['city', 'district', 'zone', 'town', 'street', 'village', 'community'] },
          parent: regionCode,
          illustrative: { type: 'boolean' },
        },
        required: ['code', 'name', 'kind'],
      },
    },
    departments: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        properties: {
          id: code,
          code,
          name: text,
          region: regionCode,
          covers: { type: 'array', items: regionCode },
          stationedAt: code,
        },
        required: ['id', 'code', 'name', 'region'],
      },
    },
    venues: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        properties: {
          id: code,
          name: text,
          kind: { enum: ['centre', 'branch', 'town-centre', 'village-station', 'self-service'] },
          region: regionCode,
          address: text,
          phone: { type: 'string', maxLength: 40 },
          accepts: {
            type: 'object',
            additionalProperties: false,
            properties: {
              bundles: { oneOf: [{ const: '*' }, { type: 'array', items: code }] },
              items: { type: 'array', items: code },
            },
          },
          receiveOnly: { type: 'boolean' },
          windows: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              properties: {
                id: { type: 'string', pattern: '^[A-Za-z0-9-]{1,16}$' },
                type: code,
                serves: { type: 'array', items: code },
              },
              required: ['id', 'type'],
            },
          },
          hours,
          appointments: {
            oneOf: [
              { type: 'boolean' },
              { type: 'object', additionalProperties: false, properties: appointmentProperties },
            ],
          },
        },
        required: ['id', 'name', 'kind', 'region', 'accepts', 'windows'],
      },
    },
    items: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        properties: {
          code,
          department: code,
          level,
          jurisdiction: { enum: ['household', 'residence', 'premises', 'registered-address', 'any'] },
          conditions: { type: 'array', items: text },
          fee: {
            type: 'object',
            additionalProperties: false,
            properties: {
              free: { type: 'boolean' },
              amount: { type: 'number', minimum: 0 },
              rule: text,
              basis: text,
            },
            required: ['free'],
          },
          legalDays: count(),
          crossRegion: { type: 'boolean' },
        },
        required: ['code', 'department', 'level', 'jurisdiction'],
      },
    },
  },
  required: ['version', 'windowTypes', 'regions', 'departments', 'venues'],
} as const;
