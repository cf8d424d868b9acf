/**
 * E-licences (电子证照) held by an applicant, for the clerk's picker at acceptance. The holder's
 * ID number travels in the body, not the URL, so it stays out of access logs; every search is
 * audited as a read of personal data.
 */
import type { AppContext } from '../context.js';
import { maskText } from '../../../../forms/src/project/index.js';
import type { Resource } from '../route.js';
import { objectOf, SignedLicence, text } from '../schemas.js';

const LicenceDoc = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    signed: SignedLicence,
    status: { enum: ['valid', 'cancelled', 'revoked'] },
    typeCode: { type: 'string' },
    applicationId: { type: 'string' },
    item: { type: 'string' },
  },
  required: ['id', 'signed', 'status'],
};

export function licenceResource(deps: AppContext): Resource {
  return {
    name: 'licences',
    description: { zh: '电子证照', en: 'E-licences' },
    base: '/api/licences',
    routes: [
      {
        method: 'post',
        path: '/search',
        operationId: 'licences.search',
        summary: {
          zh: '查询持证人的电子证照（证件号放在请求体中）',
          en: "A holder's e-licences (the ID number goes in the body)",
        },
        roles: ['clerk', 'applicant', 'supervisor'],
        body: objectOf({ holderId: text(64) }, ['holderId']),
        response: {
          schema: {
            type: 'object',
            properties: { items: { type: 'array', items: LicenceDoc } },
            required: ['items'],
          },
        },
        idempotent: false,
        target: (ctx) => `holder:${maskText('id', String(ctx.body.holderId))}`,
        handler: async ({ actor, body }) => ({ items: await deps.centre.listLicences(actor, body.holderId) }),
      },
    ],
  };
}
