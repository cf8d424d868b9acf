/**
 * 帮办代办 through the Centre over HTTP: a community station's helper or a window clerk files for
 * the applicant with their authorisation (委托书 or e-signature); it is recorded on the case (who,
 * where, how authorised), on the timeline and in the acceptance entry, audited, masked for staff and
 * shown in full to the applicant; the rules of network/assisted.ts answer as problem+json (zh/en).
 */
import {
  ANSWERS,
  APPLICANT_ID,
  DATA,
  DAY,
  startCentreServer,
  type CentreServer,
} from '../http/centre-fixture.js';
import { expectProblem } from '../http/support.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies of the API under test
type Json = any;

let s: CentreServer;
beforeAll(async () => {
  s = await startCentreServer({ sqlite: true });
});
afterAll(() => s.close());

const AGENT_ID = '11010519491231002X';
const MATERIALS = [
  { id: 'identityProof', status: 'provided' },
  { id: 'premisesProof', status: 'provided' },
];
const helper = {
  name: '黄帮办',
  idNumber: AGENT_ID,
  phone: '13912340000',
  relationship: 'staff',
  staffId: 'GC-007',
};
const proxy = (powerOfAttorney: Json = { materialId: 'powerOfAttorney', validUntil: '2026-12-31' }) => ({
  mode: 'proxy',
  agent: helper,
  powerOfAttorney,
  reason: '申请人年迈，行动不便',
});

const create = (as: string, assisted: unknown) =>
  s.call('POST', '/api/applications', {
    as,
    body: {
      bundleCode: 'business-startup',
      answers: ANSWERS,
      data: DATA,
      applicant: { kind: 'person', name: '张三', idNumber: APPLICANT_ID, userId: 'applicant1' },
      assisted,
    },
  });

async function submitted(as: string, assisted: unknown): Promise<string> {
  const res = await create(as, assisted);
  expect(res.status).toBe(201);
  await s.ok('POST', `/api/applications/${res.body.id}/submit`, { as });
  return res.body.id;
}

const fields = (problem: Json) => problem.errors.map((e: Json) => e.field).sort();

describe('filed by a community helper for the applicant (代办)', () => {
  let id: string;
  it('records who assisted, where and how the applicant authorised it; staff see the agent masked', async () => {
    const res = await create('helper1', proxy());
    expect(res.status).toBe(201);
    id = res.body.id;
    expect(res.body.assisted).toMatchObject({
      mode: 'proxy',
      agent: { name: '黄帮办', relationship: 'staff', staffId: 'GC-007' },
      powerOfAttorney: { materialId: 'powerOfAttorney', validUntil: '2026-12-31' },
      venue: 'gongbei-001-station',
      recordedBy: 'helper1',
    });
    expect(res.body.assisted.agent.idNumber).not.toBe(AGENT_ID);
    expect(res.body.assisted.agent.phone).not.toBe('13912340000');
    expect(res.body.timeline.find((e: Json) => e.type === 'assisted')).toMatchObject({
      by: { userId: 'helper1', role: 'clerk' },
      data: {
        mode: 'proxy',
        agent: '黄帮办',
        venue: 'gongbei-001-station',
        authorisation: 'power-of-attorney',
      },
    });
    expect(JSON.stringify(res.body.timeline)).not.toContain(AGENT_ID);
  });

  it("the applicant sees the case and who assisted, the staff member's ID number and phone masked", async () => {
    const mine = await s.ok('GET', `/api/applications/${id}`, { as: 'applicant1' });
    expect(mine.assisted.agent).toMatchObject({ name: '黄帮办', relationship: 'staff', staffId: 'GC-007' });
    expect(mine.assisted.agent.idNumber).not.toBe(AGENT_ID);
    expect(mine.assisted.agent.idNumber).toMatch(/\*/);
    expect(mine.assisted.agent.phone).not.toBe('13912340000');
  });

  it('is audited without personal data', async () => {
    const audit = await s.ok('GET', '/api/audit?action=applications.assisted&limit=50', {
      as: 'supervisor1',
    });
    const entry = audit.items.find((e: Json) => e.target === `application:${id}`);
    expect(entry).toMatchObject({
      actor: { userId: 'helper1', role: 'clerk' },
      outcome: 'ok',
      detail: {
        mode: 'proxy',
        relationship: 'staff',
        authorisation: 'power-of-attorney',
        venue: 'gongbei-001-station',
      },
    });
    expect(JSON.stringify(entry)).not.toContain(AGENT_ID);
  });

  it('the window accepts only once the power of attorney is verified, and the acceptance names the agent', async () => {
    await s.ok('POST', `/api/applications/${id}/submit`, { as: 'clerk1' });
    const unverified = expectProblem(
      await s.call('POST', `/api/applications/${id}/accept`, {
        as: 'clerk1',
        body: { materials: MATERIALS },
      }),
      422,
    );
    expect(fields(unverified)).toEqual(['assisted.powerOfAttorney']);
    expect(unverified.zh.detail).toContain('委托书');
    expect(unverified.en.detail).toContain('power of attorney');
    const accepted = await s.ok('POST', `/api/applications/${id}/accept`, {
      as: 'clerk1',
      body: {
        materials: MATERIALS,
        assisted: proxy({ materialId: 'powerOfAttorney', validUntil: '2026-12-31', originalSeen: true }),
      },
    });
    expect(accepted.status).toBe('in-progress');
    // Re-recorded at the window, it still says where the helper took the case in.
    expect(accepted.assisted).toMatchObject({ venue: 'gongbei-001-station', recordedBy: 'clerk1' });
    expect(accepted.assisted.powerOfAttorney.originalSeen).toBe(true);
    const entry = accepted.timeline.find((e: Json) => e.type === 'accepted');
    expect(entry.data.assisted).toMatchObject({
      mode: 'proxy',
      agent: '黄帮办',
      relationship: 'staff',
      authorisation: 'power-of-attorney',
      venue: 'gongbei-001-station',
    });
    // The deciding department sees who acted for the applicant, masked.
    const dept = await s.ok('GET', `/api/applications/${id}`, { as: 'market-regulation1' });
    expect(dept.assisted.agent.name).toBe('黄帮办');
    expect(dept.assisted.agent.idNumber).not.toBe(AGENT_ID);
  });
});

describe('authorisation by e-signature, and 帮办 at the window', () => {
  it('a relative with the applicant’s e-signature is accepted without a paper 委托书', async () => {
    const id = await submitted('clerk1', {
      mode: 'proxy',
      agent: { name: '张小三', idNumber: AGENT_ID, relationship: 'relative' },
      powerOfAttorney: { eSigned: true },
    });
    const accepted = await s.ok('POST', `/api/applications/${id}/accept`, {
      as: 'clerk1',
      body: { materials: MATERIALS },
    });
    expect(accepted.assisted).toMatchObject({
      powerOfAttorney: { eSigned: true },
      venue: 'xiangzhou-centre',
    });
    expect(accepted.timeline.find((e: Json) => e.type === 'accepted').data.assisted.authorisation).toBe(
      'e-signature',
    );
  });

  it('window staff help a present applicant (帮办) with no power of attorney', async () => {
    const id = await submitted('clerk1', { mode: 'help', agent: helper, reason: '老年人帮办' });
    const accepted = await s.ok('POST', `/api/applications/${id}/accept`, {
      as: 'clerk1',
      body: { materials: MATERIALS },
    });
    expect(accepted.assisted).toMatchObject({ mode: 'help', recordedBy: 'clerk1' });
    expect(accepted.timeline.find((e: Json) => e.type === 'accepted').data.assisted.authorisation).toBe(
      'none',
    );
  });
});

describe('the rules, as problem+json naming the field', () => {
  it('代办 without a power of attorney, the applicant as their own agent, an expired one', async () => {
    const none = expectProblem(await create('clerk1', { mode: 'proxy', agent: helper }), 422);
    expect(fields(none)).toEqual(['assisted.powerOfAttorney']);
    expect(none.errors[0].message.zh).toContain('授权委托书');
    expect(none.errors[0].message.en).toContain('power of attorney');
    const self = expectProblem(
      await create('clerk1', { ...proxy(), agent: { ...helper, idNumber: APPLICANT_ID } }),
      422,
    );
    expect(fields(self)).toEqual(['assisted.agent.idNumber']);
    const expired = expectProblem(
      await create('clerk1', proxy({ materialId: 'powerOfAttorney', validUntil: '2026-11-01' })),
      422,
    );
    expect(fields(expired)).toEqual(['assisted.powerOfAttorney.validUntil']);
    const empty = expectProblem(await create('clerk1', proxy({ originalSeen: true })), 422);
    expect(fields(empty)).toEqual(['assisted.powerOfAttorney.materialId']);
  });

  it('an unknown venue, an unknown property, and an applicant account recording it', async () => {
    const venue = expectProblem(await create('clerk1', { ...proxy(), venue: 'no-such-station' }), 422);
    expect(fields(venue)).toEqual(['assisted.venue']);
    // The body schema (OpenAPI) refuses what it does not know before the Centre sees it.
    const unknown = expectProblem(await create('clerk1', { ...proxy(), agentPassword: 'x' }), 422);
    expect(JSON.stringify(unknown.errors)).toContain('agentPassword');
    const own = expectProblem(await create('applicant1', proxy()), 403);
    expect(own.zh.detail).toContain('帮办代办');
  });

  it('a power of attorney that expires before acceptance stops it', async () => {
    const id = await submitted(
      'clerk1',
      proxy({ materialId: 'powerOfAttorney', validUntil: '2026-11-24', originalSeen: true }),
    );
    s.advance(2 * DAY);
    const late = expectProblem(
      await s.call('POST', `/api/applications/${id}/accept`, {
        as: 'clerk1',
        body: { materials: MATERIALS },
      }),
      422,
    );
    expect(fields(late)).toEqual(['assisted.powerOfAttorney.validUntil']);
  });
});

describe('OpenAPI', () => {
  it('documents the assisted-service fields of create and accept', async () => {
    const doc = await s.ok('GET', '/api/openapi.json');
    const bodyOf = (path: string) => {
      const schema = doc.paths[path].post.requestBody.content['application/json'].schema;
      return schema.$ref ? doc.components.schemas[schema.$ref.split('/').pop()] : schema;
    };
    for (const path of ['/api/applications', '/api/applications/{id}/accept']) {
      const assisted = bodyOf(path).properties.assisted;
      expect(assisted.properties.mode.enum).toEqual(['help', 'proxy']);
      expect(Object.keys(assisted.properties.powerOfAttorney.properties)).toEqual(
        expect.arrayContaining(['materialId', 'eSigned', 'originalSeen', 'validUntil']),
      );
      expect(assisted.description).toContain('帮办代办');
    }
  });
});
