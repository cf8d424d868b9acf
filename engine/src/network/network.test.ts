import { readFileSync } from 'node:fs';
import { DomainError } from '../domain/errors.js';
import {
  competentDepartment,
  jurisdictionRegion,
  loadNetwork,
  loadNetworkFile,
  mayAccept,
  NetworkError,
  routeApplication,
  venuesFor,
  ZHUHAI_NETWORK_FILE,
  type NetworkFile,
} from './index.js';

const raw = (): NetworkFile => JSON.parse(readFileSync(ZHUHAI_NETWORK_FILE, 'utf8'));
const network = loadNetworkFile(ZHUHAI_NETWORK_FILE);

const STARTUP_ITEMS = [
  { code: 'enterprise-registration', department: 'market-regulation' },
  { code: 'seal-filing', department: 'public-security' },
  { code: 'new-taxpayer', department: 'tax' },
  { code: 'employer-social-insurance', department: 'hrss' },
  { code: 'housing-fund-account', department: 'housing-fund' },
  { code: 'bank-appointment', department: 'bank' },
];

function problemsOf(file: unknown): string[] {
  try {
    loadNetwork(file);
  } catch (err) {
    if (err instanceof NetworkError) return err.problems;
    throw err;
  }
  return [];
}

describe('the Zhuhai network file', () => {
  it('loads: four levels under 440400, the three districts with their official codes, function zones marked illustrative', () => {
    expect(network.root.code).toBe('440400');
    for (const [code, zh] of [
      ['440402', '香洲区'],
      ['440403', '斗门区'],
      ['440404', '金湾区'],
    ]) {
      expect(network.regions.get(code)).toMatchObject({ name: { zh }, level: 'district', parent: '440400' });
      expect(network.regions.get(code)!.illustrative).toBeUndefined();
    }
    const zones = [...network.regions.values()].filter((r) => r.kind === 'zone');
    expect(zones.map((z) => z.name.zh)).toEqual(
      expect.arrayContaining(['横琴粤澳深度合作区', '珠海高新技术产业开发区']),
    );
    expect(zones.every((z) => z.illustrative && z.level === 'district')).toBe(true);
    const village = network.regions.get('440403102001')!;
    expect(village).toMatchObject({
      level: 'village',
      path: ['440400', '440403', '440403102', '440403102001'],
      illustrative: true,
    });
    for (const level of ['city', 'district', 'town', 'village'] as const) {
      expect([...network.regions.values()].some((r) => r.level === level)).toBe(true);
      expect([...network.venues.values()].some((v) => v.level === level)).toBe(true);
    }
    expect(new Set([...network.venues.values()].map((v) => v.kind))).toEqual(
      new Set(['centre', 'branch', 'town-centre', 'village-station', 'self-service']),
    );
  });

  it('reports every shape problem at once (ajv allErrors)', () => {
    const file = raw();
    file.regions[1]!.code = '4404';
    (file.venues[0] as { kind: string }).kind = 'palace';
    delete (file.departments[0] as Partial<NetworkFile['departments'][0]>).name;
    const problems = problemsOf(file);
    expect(problems.length).toBeGreaterThanOrEqual(3);
    expect(problems.join('\n')).toMatch(/regions\/1\/code/);
    expect(problems.join('\n')).toMatch(/venues\/0\/kind/);
    expect(problems.join('\n')).toMatch(/departments\/0 .*name/);
  });

  it('reports every reference problem at once: parents, levels, code nesting, unknown window types, overlapping jurisdiction', () => {
    const file = raw();
    file.regions.find((r) => r.code === '440403102')!.parent = '440404';
    file.regions.push({
      code: '440403999001',
      name: { zh: '孤村', en: 'Orphan' },
      kind: 'village',
      parent: '440403999',
    });
    file.regions.push({
      code: '440405',
      name: { zh: '错级', en: 'Wrong level' },
      kind: 'district',
      parent: '440402',
    });
    file.venues[0]!.windows.push({ id: 'Z01', type: 'teleport' });
    file.departments.push({ ...file.departments.find((d) => d.id === '440403-tax')!, id: 'another-tax' });
    file.departments.push({
      id: 'x',
      code: 'x',
      name: { zh: 'x', en: 'x' },
      region: '440402',
      stationedAt: 'nowhere',
    });
    const problems = problemsOf(file).join('\n');
    expect(problems).toMatch(/region 440403102 .*must start with 440404/);
    expect(problems).toMatch(/parent 440403999 is not a region/);
    expect(problems).toMatch(/region 440405 .*a district cannot sit under a district/);
    expect(problems).toMatch(/window Z01 has unknown type "teleport"/);
    expect(problems).toMatch(/another-tax: 440403-tax already has jurisdiction for "tax" in 440403/);
    expect(problems).toMatch(/stationedAt nowhere is not a venue/);
  });
});

describe('jurisdiction routing (属地)', () => {
  it('finds the department at the item level in the applicant region, walking up from a village', () => {
    const c = competentDepartment(network, {
      department: 'market-regulation',
      level: 'district',
      region: '440403102001',
    });
    expect(c.department.id).toBe('440403-market-regulation');
    expect(c.region.code).toBe('440403');
    expect(c.venue?.id).toBe('doumen-centre');
    const town = competentDepartment(network, {
      department: 'police-station',
      level: 'town',
      region: '440403102001',
    });
    expect(town.department.id).toBe('440403102-police-station');
    expect(town.venue?.id).toBe('baijiao-centre');
    const city = competentDepartment(network, {
      department: 'housing-fund',
      level: 'city',
      region: '440404101',
    });
    expect(city.department.id).toBe('440400-housing-fund');
  });

  it('function zones: own offices where they have them, the covering district office otherwise', () => {
    expect(
      competentDepartment(network, {
        department: 'market-regulation',
        level: 'district',
        region: '440492101',
      }).department.id,
    ).toBe('440492-market-regulation');
    const hrss = competentDepartment(network, {
      department: 'hrss',
      level: 'district',
      region: '440492101001',
    });
    expect(hrss.department.id).toBe('440402-hrss');
    expect(hrss.region.code).toBe('440492');
  });

  it('refuses regions that are too coarse for the level, unknown regions, and missing departments', () => {
    expect(() =>
      competentDepartment(network, { department: 'police-station', level: 'town', region: '440403' }),
    ).toThrow(/town \/ street level/);
    expect(() =>
      competentDepartment(network, { department: 'tax', level: 'district', region: '110105' }),
    ).toThrow(DomainError);
    expect(() =>
      competentDepartment(network, { department: 'space-agency', level: 'district', region: '440402' }),
    ).toThrow(/space-agency/);
  });

  it('mayAccept follows the venue’s list (进驻事项清单): bundles whole, single items, or everything', () => {
    expect(mayAccept(network, 'zhuhai-centre', 'anything-at-all')).toBe(true);
    expect(mayAccept(network, 'baijiao-centre', 'business-startup')).toBe(true);
    expect(mayAccept(network, 'jida-centre', 'business-startup')).toBe(false);
    expect(mayAccept(network, 'baijiao-001-station', 'flexible-employment')).toBe(false);
    expect(mayAccept(network, 'baijiao-001-station', 'flexible-employment-registration')).toBe(true);
    expect(mayAccept(network, 'gongbei-port-kiosk', 'social-security-card')).toBe(true);
    expect(mayAccept(network, 'no-such-venue', 'business-startup')).toBe(false);
  });

  it('a town centre in Doumen receives a business start-up for premises in Xiangzhou: district items go to Xiangzhou, city items to the city (跨域)', () => {
    const routing = routeApplication(network, {
      venue: 'baijiao-centre',
      bundleCode: 'business-startup',
      region: '440402001',
      items: STARTUP_ITEMS,
    });
    expect(routing).toMatchObject({
      acceptedAt: 'baijiao-centre',
      acceptedRegion: '440403102',
      jurisdictionRegion: '440402001',
    });
    const by = Object.fromEntries(routing.items.map((i) => [i.item, i]));
    expect(by['enterprise-registration']).toMatchObject({
      decidingDepartment: '440402-market-regulation',
      decidingRegion: '440402',
      decidingLevel: 'district',
      decidingVenue: 'xiangzhou-centre',
      crossRegion: true,
    });
    expect(by['housing-fund-account']).toMatchObject({
      decidingDepartment: '440400-housing-fund',
      decidingRegion: '440400',
      crossRegion: false,
    });
    // 全市通办 (jurisdiction "any"): decided where received
    expect(by['bank-appointment']).toMatchObject({ decidingDepartment: '440400-bank', crossRegion: false });
    const local = routeApplication(network, {
      venue: 'baijiao-centre',
      bundleCode: 'business-startup',
      region: '440403102001',
      items: STARTUP_ITEMS,
    });
    expect(local.items.find((i) => i.item === 'enterprise-registration')).toMatchObject({
      decidingDepartment: '440403-market-regulation',
      crossRegion: false,
    });
  });

  it('跨域通办 is per item: one that is not is refused outside the deciding department’s districts, naming it; the flag compares the deciding office’s district', () => {
    const file = raw();
    for (const code of ['food-licence', 'medical-enrolment'])
      delete file.items!.find((i) => i.code === code)!.crossRegion;
    const local = loadNetwork(file);
    const registration = { code: 'enterprise-registration', department: 'market-regulation' };
    const startup = (
      venue: string,
      items = [registration, { code: 'food-licence', department: 'market-regulation' }],
    ) => routeApplication(local, { venue, bundleCode: 'business-startup', region: '440402001', items });
    // premises in Gongbei (Xiangzhou), received at Baijiao (Doumen)
    try {
      startup('baijiao-centre');
      throw new Error('not refused');
    } catch (err) {
      expect(err).toBeInstanceOf(DomainError);
      const e = err as DomainError;
      expect(e.code).toBe('forbidden');
      expect(e.fieldErrors.map((f) => f.field)).toEqual(['items.food-licence']);
      expect(e.text.zh).toBe('白蕉镇便民服务中心不能受理未开通跨域通办的事项：food-licence');
      expect(e.text.en).toContain('food-licence');
    }
    // received in its own district: routed as before
    expect(startup('xiangzhou-centre').items.map((i) => i.crossRegion)).toEqual([false, false]);
    // an item that is 跨域通办 is still received there and decided in Xiangzhou
    expect(startup('baijiao-centre', [registration]).items[0]).toMatchObject({
      decidingDepartment: '440402-market-regulation',
      crossRegion: true,
    });
    const hengqin = (venue: string) =>
      routeApplication(local, {
        venue,
        bundleCode: 'flexible-employment',
        region: '440491100001',
        items: [{ code: 'medical-enrolment', department: 'medical-security' }],
      }).items[0];
    // Hengqin has no medical-security office: Xiangzhou's covers it, so a Hengqin centre may receive
    // it, but the case is decided in another district's office (跨域 for the flag)
    expect(hengqin('hengqin-centre')).toMatchObject({
      decidingDepartment: '440402-medical-security',
      decidingRegion: '440491',
      crossRegion: true,
    });
    expect(hengqin('xiangzhou-centre')).toMatchObject({ crossRegion: false });
    expect(() => hengqin('doumen-centre')).toThrow(/not handled across districts: medical-enrolment/);
  });

  it('refuses at a venue that may not receive the bundle or an item, naming each item', () => {
    try {
      routeApplication(network, {
        venue: 'baijiao-001-station',
        bundleCode: 'business-startup',
        region: '440403102001',
        items: STARTUP_ITEMS,
      });
      throw new Error('not refused');
    } catch (err) {
      expect(err).toBeInstanceOf(DomainError);
      expect((err as DomainError).code).toBe('forbidden');
      expect((err as DomainError).fieldErrors.map((f) => f.field)).toContain('items.enterprise-registration');
    }
    // a village station receives single delegated items and routes them up to the town
    const near = routeApplication(network, {
      venue: 'baijiao-001-station',
      bundleCode: 'flexible-employment',
      region: '440403102001',
      items: [{ code: 'flexible-employment-registration', department: 'employment-service' }],
    });
    expect(near.items[0]).toMatchObject({
      decidingDepartment: '440403102-employment-service',
      decidingVenue: 'baijiao-centre',
      crossRegion: false,
    });
  });

  it('takes jurisdiction from the form’s region field, else from the receiving venue', () => {
    expect(jurisdictionRegion(network, { data: { regionCode: '440402' }, venue: 'baijiao-centre' })).toBe(
      '440402',
    );
    expect(jurisdictionRegion(network, { data: { regionCode: '999999' }, venue: 'baijiao-centre' })).toBe(
      '440403102',
    );
    expect(jurisdictionRegion(network, {})).toBeUndefined();
  });

  it('decides town-level items by the town or street of the item’s basis (household, residence) from the form', () => {
    const routing = routeApplication(network, {
      venue: 'xiangzhou-centre',
      bundleCode: 'newborn',
      region: '440402',
      items: [
        { code: 'birth-registration', department: 'police-station' },
        { code: 'vaccination-certificate', department: 'vaccination-clinic' },
        { code: 'medical-enrolment', department: 'medical-security' },
      ],
      data: { homeRegion: '440402', householdRegion: '440402001', residenceTown: '440402002' },
    });
    const by = Object.fromEntries(routing.items.map((i) => [i.item, i]));
    expect(by['birth-registration']).toMatchObject({
      decidingDepartment: '440402001-police-station',
      decidingVenue: 'gongbei-centre',
    });
    expect(by['vaccination-certificate']!.decidingDepartment).toBe('440402002-vaccination-clinic');
    expect(by['medical-enrolment']!.decidingDepartment).toBe('440402-medical-security');
  });

  it('refuses a town-level item when the form gives only a district, naming the form field', () => {
    try {
      routeApplication(network, {
        venue: 'xiangzhou-centre',
        bundleCode: 'flexible-employment',
        region: '440402',
        items: [{ code: 'flexible-employment-registration', department: 'employment-service' }],
        data: { residenceRegion: '440402' },
      });
      throw new Error('not refused');
    } catch (err) {
      expect(err).toBeInstanceOf(DomainError);
      expect((err as DomainError).fieldErrors).toEqual([
        expect.objectContaining({ field: 'residenceRegion' }),
      ]);
      expect((err as DomainError).message).toContain('residenceRegion');
    }
  });

  it('lists venues for a bundle nearest first, and partial venues with the items they take', () => {
    const list = venuesFor(network, { bundle: 'business-startup', region: '440403102001' });
    expect(list[0]!.venue.id).toBe('baijiao-centre');
    expect(list[1]!.venue.id).toBe('doumen-centre');
    expect(list.some((v) => v.venue.id === 'jida-centre')).toBe(false);
    const flexible = venuesFor(network, {
      bundle: 'flexible-employment',
      items: ['flexible-employment-registration', 'insurance-subsidy'],
      region: '440403102001',
    });
    expect(flexible.find((v) => v.venue.id === 'baijiao-001-station')).toMatchObject({
      wholeBundle: false,
      items: ['flexible-employment-registration'],
    });
  });
});
