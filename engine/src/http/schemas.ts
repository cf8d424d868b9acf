/**
 * JSON Schemas shared by the route table. Each named schema here is validated inline by ajv and
 * appears once under `components.schemas` in the OpenAPI document (the generator swaps every
 * use of the same object for a `$ref`).
 */
import type { JsonSchema } from './validation.js';
import { APPLICATION_STATUSES } from '../applications/types.js';

export const components = new Map<JsonSchema, string>();

export function named<T extends JsonSchema>(name: string, schema: T): T {
  components.set(schema, name);
  return schema;
}

const text = (maxLength: number, minLength = 1): JsonSchema => ({ type: 'string', minLength, maxLength });

export const Text = named('Text', {
  type: 'object',
  description: '中文 / English text',
  properties: { zh: { type: 'string' }, en: { type: 'string' } },
  required: ['zh', 'en'],
});

export const FieldError = named('FieldError', {
  type: 'object',
  properties: {
    field: {
      type: 'string',
      description: 'The field: body.applicant.idNumber, query.limit, bpmn:<element id>, data.<field id>…',
    },
    label: Text,
    message: Text,
  },
  required: ['field', 'message'],
});

export const Problem = named('Problem', {
  type: 'object',
  description:
    'RFC 9457 problem details; title/detail in the negotiated language (Chinese by default), both under zh and en.',
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    code: { type: 'string' },
    requestId: { type: 'string' },
    zh: { type: 'object', properties: { title: { type: 'string' }, detail: { type: 'string' } } },
    en: { type: 'object', properties: { title: { type: 'string' }, detail: { type: 'string' } } },
    errors: { type: 'array', items: FieldError },
  },
  required: ['type', 'title', 'status', 'detail', 'zh', 'en', 'errors'],
});

/** Free-form JSON object (form data, situation answers, a bundle.json). */
export const AnyObject: JsonSchema = { type: 'object' };

export const Answers = named('Answers', {
  type: 'object',
  description: 'Situation questionnaire answers (情形引导), by question id',
});

export const FormData = named('FormData', { type: 'object', description: 'Unified form data, by field id' });

export const Applicant = named('Applicant', {
  type: 'object',
  additionalProperties: false,
  properties: {
    kind: { enum: ['person', 'organisation'] },
    name: text(200),
    idNumber: { ...text(64), description: 'Resident ID number or unified social credit code (sensitive)' },
    phone: text(32),
    userId: { ...text(64), description: "The applicant's own account, when known" },
  },
  required: ['kind', 'name', 'idNumber'],
});

export const SignedLicence = named('SignedLicence', {
  type: 'object',
  description: "An e-licence as presented from the applicant's wallet (Ed25519 over its canonical JSON)",
  additionalProperties: false,
  properties: {
    licence: { type: 'object' },
    algorithm: { const: 'Ed25519' },
    keyId: text(200),
    signature: text(200),
  },
  required: ['licence', 'algorithm', 'keyId', 'signature'],
});

export const MaterialInput = named('MaterialInput', {
  type: 'object',
  additionalProperties: false,
  properties: {
    id: text(100),
    status: { enum: ['provided', 'eLicence', 'deferred', 'commitment'] },
    licenceId: text(200),
    licence: SignedLicence,
    uploadSha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
  },
  required: ['id', 'status'],
});

export const CommitmentInput = named('CommitmentInput', {
  type: 'object',
  additionalProperties: false,
  properties: {
    kind: { enum: ['deferral', 'proof', 'licence'] },
    materials: { type: 'array', items: text(100), minItems: 1, maxItems: 200 },
    signer: text(200),
    text: { ...text(20000), description: 'The commitment text the applicant signed; its SHA-256 is kept' },
  },
  required: ['kind', 'materials', 'signer', 'text'],
});

export const NoticeEntry = named('NoticeEntry', {
  type: 'object',
  additionalProperties: false,
  properties: {
    item: text(100),
    department: text(100),
    materialId: text(100),
    fieldId: text(100),
    problem: text(2000),
    requirement: text(2000),
  },
  required: ['problem'],
});

export const NoticeEntries = { type: 'array', items: NoticeEntry, minItems: 1, maxItems: 200 };

export const TimeStatus = { enum: ['normal', 'yellow', 'red'] };

export const ApplicationStatus = { enum: [...APPLICATION_STATUSES] };

export const EvaluationChannel = { enum: ['window', 'web', 'app', 'sms', 'qr', 'kiosk', 'hotline'] };

export const BundleSummary = named('BundleSummary', {
  type: 'object',
  properties: {
    code: { type: 'string' },
    version: { type: 'integer' },
    status: { enum: ['active', 'retired'] },
    name: Text,
    leadDepartment: { type: 'string' },
    promisedDays: { type: 'number' },
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: { code: { type: 'string' }, name: Text, department: { type: 'string' } },
      },
    },
    createdAt: { type: 'integer' },
  },
  required: ['code', 'version', 'status', 'name'],
});

const DeliveryChannel = { enum: ['window', 'post', 'electronic'] };

export const DeliveryBatch = named('DeliveryBatch', {
  type: 'object',
  description:
    'One handover of results (出件): 分批出件 batches while other items were still open, then the final delivery of what was left. Each item is in at most one.',
  properties: {
    batch: { type: 'integer', description: '1, 2, …: the number on its receipt' },
    items: { type: 'array', items: { type: 'string' }, description: 'The item codes handed over' },
    channel: DeliveryChannel,
    by: { type: 'string', description: 'The clerk (left out of the applicant’s view)' },
    at: { type: 'integer' },
    venue: { type: 'string' },
  },
  required: ['batch', 'items', 'channel', 'at'],
});

export const DeliverInput = named('DeliverInput', {
  type: 'object',
  additionalProperties: false,
  description:
    'Without items: every result left, once all items are decided (results-ready); closes the case. With items (分批出件): only those, each decided (approved or rejected) and not handed over before, while others may still be open; the batch handing over the last of them closes the case. Deferred materials (容缺) still owed hold back the items they serve.',
  properties: {
    channel: DeliveryChannel,
    items: {
      type: 'array',
      items: text(100),
      maxItems: 200,
      description: 'Item codes to hand over in this batch',
    },
  },
  required: ['channel'],
});

export const Application = named('Application', {
  type: 'object',
  description:
    'One application (办件) with its items, materials, notices, pauses, evaluations and timeline. Sensitive values are masked for readers who may not see them in full.',
  properties: {
    id: { type: 'string' },
    rev: { type: 'integer' },
    number: { type: 'string' },
    bundleCode: { type: 'string' },
    bundleVersion: { type: 'integer' },
    status: ApplicationStatus,
    applicant: { type: 'object' },
    answers: { type: 'object' },
    data: { type: 'object' },
    items: { type: 'array', items: { type: 'object' } },
    materials: { type: 'array', items: { type: 'object' } },
    notices: {
      type: 'array',
      items: { type: 'object' },
      description:
        'One-time notices (一次性告知): resolvedAt once answered, withdrawnAt when every request in it was withdrawn',
    },
    requests: {
      type: 'array',
      items: { type: 'object' },
      description:
        'Department supplement requests: resolvedAt once answered, withdrawnAt (撤回) when taken back unanswered',
    },
    evaluations: { type: 'array', items: { type: 'object' } },
    deadline: { type: 'integer' },
    timeStatus: TimeStatus,
    timeline: { type: 'array', items: { type: 'object' } },
    acceptedVenue: {
      type: 'string',
      description: '就近受理: the venue that received the case and hands results over',
    },
    assisted: {
      type: 'object',
      description:
        '帮办代办: mode, agent (ID number and phone masked but for the applicant), powerOfAttorney (materialId / eSigned / originalSeen), venue, recordedBy, at',
    },
    delivery: {
      type: 'object',
      description:
        'The final delivery that closed the case: channel (window, post, electronic), by, at, venue',
    },
    deliveries: { type: 'array', items: DeliveryBatch },
  },
  required: ['id', 'number', 'bundleCode', 'status'],
});

export const DepartmentTask = named('DepartmentTask', {
  type: 'object',
  description:
    "A department's work item: one item of one application, with only the fields its items declare.",
  properties: {
    id: { type: 'string' },
    applicationId: { type: 'string' },
    applicationNumber: { type: 'string' },
    bundleCode: { type: 'string' },
    item: { type: 'string' },
    itemName: Text,
    department: { type: 'string' },
    status: { type: 'string' },
    claimedBy: { type: 'string' },
    createdAt: { type: 'integer' },
    deadline: { type: 'integer' },
    remainingWorkingDays: { type: 'number' },
    timeStatus: TimeStatus,
    specialStep: { type: 'boolean' },
    decidingDepartment: { type: 'string', description: '属地: the office that decides the item' },
    acceptedVenue: { type: 'string', description: 'where the case was received and the result goes back' },
    crossRegion: { type: 'boolean', description: '跨域: decided outside the receiving district' },
    payload: { type: 'object' },
    materials: { type: 'array', items: { type: 'object' } },
    outputs: {
      type: 'array',
      description: 'The results approving this item records: key, label, format, pattern, maxLength',
      items: { type: 'object' },
    },
    upstreamResults: {
      type: 'array',
      description: "Earlier items' results this item needs, once approved: item, itemName, outputs",
      items: { type: 'object' },
    },
  },
  required: ['id', 'applicationId', 'item', 'department', 'status'],
});

export const AuditEntry = named('AuditEntry', {
  type: 'object',
  properties: {
    seq: { type: 'integer' },
    at: { type: 'integer' },
    actor: {
      type: 'object',
      properties: {
        userId: { type: 'string' },
        role: { type: 'string' },
        department: { type: 'string' },
        region: { type: 'string' },
      },
    },
    action: { type: 'string' },
    target: { type: 'string' },
    outcome: { enum: ['ok', 'denied', 'rejected', 'error'] },
    detail: { type: 'object' },
    prevHash: { type: 'string' },
    hash: { type: 'string' },
  },
  required: ['seq', 'at', 'actor', 'action', 'target', 'outcome', 'prevHash', 'hash'],
});

export function pageOf(item: JsonSchema): JsonSchema {
  return {
    type: 'object',
    properties: {
      items: { type: 'array', items: item },
      next: { type: 'string', description: 'Pass as `after` for the next page; absent on the last page' },
    },
    required: ['items'],
  };
}

export const limitParam = { type: 'integer', minimum: 1, maximum: 100, default: 20 };
export const afterParam = {
  type: 'string',
  minLength: 1,
  maxLength: 500,
  description: 'Cursor: `next` of the previous page',
};

export const idParam = { type: 'string', minLength: 1, maxLength: 200 };
export const codeParam = { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,99}$' };

/** A POST without a body, or with `{}`. */
export const EmptyBody = named('Empty', { type: 'object', additionalProperties: false, properties: {} });

export const objectOf = (
  properties: Record<string, JsonSchema>,
  required: string[] = [],
  extra: JsonSchema = {},
): JsonSchema => ({
  type: 'object',
  additionalProperties: false,
  properties,
  ...(required.length ? { required } : {}),
  ...extra,
});

export { text };
