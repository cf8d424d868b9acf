import { readFileSync } from 'node:fs';
import { loadBundle } from '../../../forms/src/bundle/index.js';
import { samples } from '../../../forms/src/testing/samples.js';
import { buildGuide, loadNetworkFile, ZHUHAI_NETWORK_FILE } from './index.js';

const network = loadNetworkFile(ZHUHAI_NETWORK_FILE);
const definition = loadBundle(
  JSON.parse(
    readFileSync(new URL('../../../examples/business-startup/bundle.json', import.meta.url), 'utf8'),
  ),
);
const bundle = { code: definition.code, version: 3, definition };
const ANSWERS = samples['business-startup']!.situation as Record<string, unknown>;

describe('public guide (一次告知)', () => {
  it('lists the items that apply with level, jurisdiction, conditions, time limits and fees', () => {
    const guide = buildGuide(network, bundle, ANSWERS, { now: Date.UTC(2026, 10, 24) });
    expect(guide.bundle).toMatchObject({
      code: 'business-startup',
      version: 3,
      leadDepartment: { code: 'market-regulation', name: { zh: '市场监督管理局' } },
      promisedDays: 2,
    });
    expect(guide.complete).toBe(true);
    expect(guide.items.map((i) => i.code)).toEqual(definition.items.map((i) => i.code)); // every item applies
    const registration = guide.items[0]!;
    expect(registration).toMatchObject({
      level: 'district',
      levelName: { zh: '区级' },
      jurisdiction: { basis: 'premises', name: { zh: '经营场所所在地' } },
      promisedDays: 1,
      legalDays: 15,
      fee: { free: true },
      after: [],
    });
    expect(registration.conditions.map((c) => c.zh)).toContain('企业名称、住所、经营范围符合登记规定');
    expect(guide.items.find((i) => i.code === 'seal-filing')!.after).toEqual(['enterprise-registration']);
    expect(guide.fees).toEqual(expect.objectContaining({ free: true, stated: true }));
    expect(guide.generatedAt).toBe('2026-11-24T00:00:00.000Z');
  });

  it('materials change with the answers, with what e-licences, commitments and shared data replace', () => {
    const leased = buildGuide(network, bundle, ANSWERS);
    const premises = leased.materials.find((m) => m.id === 'premisesProof')!;
    expect(premises).toMatchObject({
      required: true,
      bring: true,
      replaceableBy: { eLicence: 'property-certificate', commitment: true, sharedData: false },
    });
    expect(leased.materials.find((m) => m.id === 'identityProof')).toMatchObject({
      replaceableBy: { eLicence: 'resident-id-card' },
      formName: { zh: '原件（现场核验）' },
    });
    expect(leased.materials.find((m) => m.id === 'registrationApplication')).toMatchObject({
      source: 'generated',
      bring: false,
    });

    const cluster = buildGuide(network, bundle, {
      ...ANSWERS,
      premises: 'cluster',
      entityType: 'individualBusiness',
      sealTypes: [],
      hiring: false,
    });
    const ids = cluster.materials.map((m) => m.id);
    expect(ids).toContain('clusterConsent');
    expect(ids).not.toContain('premisesProof');
    expect(ids).not.toContain('articlesOfAssociation');
    expect(cluster.items.map((i) => i.code)).not.toContain('seal-filing');
    expect(cluster.notApplicable.map((i) => i.code)).toEqual(
      expect.arrayContaining(['seal-filing', 'housing-fund-account']),
    );
  });

  it('keeps only answers to the questions, of the right type; shows which questions are still open', () => {
    const guide = buildGuide(network, bundle, {
      entityType: 'spaceship',
      premises: 'owned',
      hiring: 'yes',
      sealTypes: ['official', 'bogus'],
      extra: 1,
    });
    expect(guide.answers).toEqual({ premises: 'owned', sealTypes: ['official'] });
    expect(guide.complete).toBe(false);
    expect(guide.questions.find((q) => q.id === 'premises')).toMatchObject({
      answer: 'owned',
      options: expect.any(Array),
    });
    expect(guide.questions.find((q) => q.id === 'entityType')!.answer).toBeUndefined();
  });

  it('lists venues receiving the bundle, nearest to the applicant first, with region names and hours', () => {
    const guide = buildGuide(network, bundle, ANSWERS, { region: '440403102001' });
    expect(guide.venues[0]).toMatchObject({
      id: 'baijiao-centre',
      kind: 'town-centre',
      kindName: { zh: '便民服务中心' },
      regionName: { zh: '珠海市 · 斗门区 · 白蕉镇' },
      wholeBundle: true,
      appointments: true,
      hours: [
        { from: '08:30', to: '12:00' },
        { from: '14:30', to: '17:30' },
      ],
    });
    expect(guide.venues.map((v) => v.id)).toContain('zhuhai-centre');
    expect(guide.venues.map((v) => v.id)).not.toContain('jida-centre');
  });
});
