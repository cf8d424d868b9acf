import { DomainError } from '../domain/errors.js';
import { validateAssisted, type AssistedContext } from './index.js';

const NOW = Date.UTC(2026, 10, 24, 2);
const person = { kind: 'person' as const, idNumber: '440402199003071232' };
const company = { kind: 'organisation' as const, idNumber: '91440400MA4W12346M' };
const ctx = { applicant: person, bundleCode: 'newborn', items: ['birth-registration'], now: NOW };
const agent = {
  name: '李四',
  idNumber: '11010519491231002x',
  relationship: 'relative' as const,
  phone: '13900139000',
  userId: 'lisi',
};
const poa = {
  materialId: 'powerOfAttorney',
  uploadSha256: 'a'.repeat(64),
  validUntil: '2026-12-31',
  scope: ['newborn'],
};

function fields(input: unknown, context: AssistedContext = ctx): string[] {
  try {
    validateAssisted(input, context);
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    return (err as DomainError).fieldErrors.map((f) => f.field);
  }
}

describe('assisted service (帮办代办)', () => {
  it('accepts a proxy with a power of attorney and normalises the agent’s ID', () => {
    const assisted = validateAssisted(
      { mode: 'proxy', agent, powerOfAttorney: poa, reason: '申请人在外地' },
      ctx,
    );
    expect(assisted).toEqual({
      mode: 'proxy',
      agent: {
        name: '李四',
        idType: 'resident-id',
        idNumber: '11010519491231002X',
        relationship: 'relative',
        phone: '13900139000',
        userId: 'lisi',
      },
      powerOfAttorney: poa,
      reason: '申请人在外地',
    });
  });

  it('lets assisted-service staff help a present applicant without a power of attorney, with a staff number', () => {
    const staff = {
      name: '帮办员王',
      idNumber: '11010519491231002X',
      relationship: 'staff' as const,
      staffId: 'BB-007',
    };
    expect(validateAssisted({ mode: 'help', agent: staff }, ctx).agent.staffId).toBe('BB-007');
    expect(fields({ mode: 'help', agent: { ...staff, staffId: undefined } })).toEqual([
      'assisted.agent.staffId',
    ]);
  });

  it('reports every problem at once', () => {
    expect(
      fields({ mode: 'proxy', agent: { name: '', idNumber: '440402199003071233', relationship: 'cousin' } }),
    ).toEqual(
      expect.arrayContaining([
        'assisted.agent.name',
        'assisted.agent.relationship',
        'assisted.agent.idNumber',
        'assisted.powerOfAttorney',
      ]),
    );
    expect(fields({ mode: 'sometimes', agent })).toEqual(['assisted.mode']);
  });

  it('refuses the applicant as their own agent, expired or out-of-scope powers of attorney', () => {
    expect(
      fields({ mode: 'proxy', agent: { ...agent, idNumber: person.idNumber }, powerOfAttorney: poa }),
    ).toEqual(['assisted.agent.idNumber']);
    expect(fields({ mode: 'proxy', agent, powerOfAttorney: { ...poa, validUntil: '2026-11-23' } })).toEqual([
      'assisted.powerOfAttorney.validUntil',
    ]);
    expect(
      fields({ mode: 'proxy', agent, powerOfAttorney: { ...poa, scope: ['business-startup'] } }),
    ).toEqual(['assisted.powerOfAttorney.scope']);
    expect(
      validateAssisted(
        { mode: 'proxy', agent, powerOfAttorney: { ...poa, scope: ['birth-registration'] } },
        ctx,
      ).powerOfAttorney!.scope,
    ).toEqual(['birth-registration']);
  });

  it('a guardian needs proof of guardianship; a company is always represented with a power of attorney', () => {
    const guardian = { ...agent, relationship: 'guardian' as const };
    try {
      validateAssisted({ mode: 'proxy', agent: guardian }, ctx);
      throw new Error('accepted');
    } catch (err) {
      expect((err as DomainError).fieldErrors[0]!.message.zh).toBe('监护人代办须提供监护关系证明');
    }
    expect(
      validateAssisted(
        { mode: 'proxy', agent: guardian, powerOfAttorney: { materialId: 'guardianshipProof' } },
        ctx,
      ).powerOfAttorney,
    ).toEqual({ materialId: 'guardianshipProof' });
    const handler = { ...agent, relationship: 'employee' as const, organisation: company.idNumber };
    const companyCtx = { ...ctx, applicant: company, bundleCode: 'business-startup' };
    expect(fields({ mode: 'help', agent: handler }, companyCtx)).toEqual(['assisted.powerOfAttorney']);
    expect(
      fields(
        {
          mode: 'help',
          agent: { ...handler, relationship: 'staff', staffId: 'S1' },
          powerOfAttorney: { materialId: 'poa' },
        },
        companyCtx,
      ),
    ).toEqual(['assisted.mode']);
    expect(
      validateAssisted({ mode: 'proxy', agent: handler, powerOfAttorney: { materialId: 'poa' } }, companyCtx)
        .agent.organisation,
    ).toBe(company.idNumber);
  });
});
