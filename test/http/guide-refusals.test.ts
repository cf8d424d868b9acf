/**
 * The public guide (GET /api/guides/:code, no sign-in) tells a citizen before they start what the
 * bundle cannot be applied for (bundle.json refuseWhen: twins, a restaurant in a residential
 * building, a foreign investor), with the questions that decide it; answers that fall into one get
 * its message, naming the answers, instead of items and materials. Through the real app
 * (engine/src/http/app.ts) with the Zhuhai service network and the example bundles.
 */
import { readExampleBundle } from '../../forms/src/bundle/examples.js';
import { samples } from '../../forms/src/testing/samples.js';
import { Centre } from '../../engine/src/applications/centre.js';
import { workingTimeLimits } from '../../engine/src/applications/working-time.js';
import { MemoryDocStore } from '../../engine/src/domain/docs.js';
import { createEngine } from '../../engine/src/index.js';
import { createNetworkServices } from '../../engine/src/network/http.js';
import { loadNetworkFile, ZHUHAI_NETWORK_FILE } from '../../engine/src/network/index.js';
import { example, T0 } from './centre-fixture.js';
import { startServer, type TestServer } from './support.js';

const CODES = ['newborn', 'restaurant', 'business-startup', 'utility-connection', 'flexible-employment'];

let s: TestServer;
beforeAll(async () => {
  const clock = () => T0;
  const docs = new MemoryDocStore();
  const engine = createEngine({ clock });
  const network = loadNetworkFile(ZHUHAI_NETWORK_FILE);
  const centre = new Centre({ engine, docs, timeLimits: workingTimeLimits(), clock, network });
  s = await startServer({
    centre,
    docs,
    engine,
    clock,
    network: createNetworkServices({ docs, network, bundles: centre.bundles, clock }),
  });
  for (const code of CODES) {
    const res = await s.call('POST', '/api/bundles', { as: 'analyst1', body: example(code) });
    expect(res.status).toBe(201);
  }
});
afterAll(() => s.close());

/** The guide as an anonymous visitor reads it for these answers. */
async function guide(code: string, answers: Record<string, unknown> = {}) {
  const res = await s.call(
    'GET',
    `/api/guides/${code}?answers=${encodeURIComponent(JSON.stringify(answers))}`,
  );
  expect(res.status).toBe(200);
  return res.body;
}

const situation = (code: string) => samples[code]!.situation as Record<string, unknown>;

it.each(['newborn', 'restaurant', 'business-startup'])(
  'the %s guide lists what cannot be applied for before any answer, with its questions',
  async (code) => {
    const bundle = readExampleBundle(code);
    const shown = await guide(code);
    expect(shown.refusals).toEqual(
      bundle.refuseWhen!.map((r) => ({ message: r.message, questions: expect.any(Array) })),
    );
    expect(shown.refused).toEqual([]);
  },
);

it('names the deciding question of each: the number of babies for twins', async () => {
  const { refusals } = await guide('newborn');
  expect(refusals).toEqual([
    {
      message: {
        zh: '双胞胎或多胞胎请每个婴儿分别申请一次：一份申请只登记一个婴儿',
        en: 'Twins or more: apply once per baby, as one application registers one baby',
      },
      questions: [{ id: 'babyCount', label: { zh: '新生儿数量', en: 'Number of babies' } }],
    },
  ]);
});

it('twins: the refusal with the answer given, instead of items and materials', async () => {
  const ok = await guide('newborn', situation('newborn'));
  expect(ok.refused).toEqual([]);
  expect(ok.materials.length).toBeGreaterThan(0);
  expect(ok.items.length).toBeGreaterThan(0);

  const twins = await guide('newborn', { ...situation('newborn'), babyCount: 2 });
  expect(twins.refused).toEqual([
    {
      message: {
        zh: '双胞胎或多胞胎请每个婴儿分别申请一次：一份申请只登记一个婴儿（新生儿数量：2）',
        en: 'Twins or more: apply once per baby, as one application registers one baby (Number of babies: 2)',
      },
      answers: [
        {
          question: 'babyCount',
          label: { zh: '新生儿数量', en: 'Number of babies' },
          answer: { zh: '2', en: '2' },
        },
      ],
    },
  ]);
  expect(twins.items).toEqual([]);
  expect(twins.materials).toEqual([]);
  expect(twins.notApplicable.map((i: { code: string }) => i.code)).toEqual(
    readExampleBundle('newborn').items.map((i) => i.code),
  );
  // Where to go is still told: each baby is applied for at the same venues.
  expect(twins.venues.map((v: { id: string }) => v.id)).toEqual(ok.venues.map((v: { id: string }) => v.id));
});

it('a restaurant in a residential building and a foreign investor are refused with their own messages', async () => {
  const restaurant = await guide('restaurant', { ...situation('restaurant'), buildingType: 'residential' });
  expect(restaurant.refused.map((r: { message: { zh: string } }) => r.message.zh)).toEqual([
    expect.stringMatching(/^住宅楼内不得开办产生油烟的餐饮店/),
  ]);
  expect(restaurant.materials).toEqual([]);
  const foreign = await guide('business-startup', {
    ...situation('business-startup'),
    foreignInvestor: true,
  });
  expect(foreign.refused.map((r: { message: { en: string } }) => r.message.en)).toEqual([
    expect.stringMatching(/^An enterprise with a foreign, Hong Kong, Macao or Taiwan investor registers/),
  ]);
  expect(foreign.items).toEqual([]);
});

it('a bundle that refuses nothing lists no refusals', async () => {
  const shown = await guide('utility-connection', situation('utility-connection'));
  expect(shown).toMatchObject({ refusals: [], refused: [] });
  expect(shown.materials.length).toBeGreaterThan(0);
});

it('flexible employment names its working age (read from the ID number at the window, not asked)', async () => {
  const shown = await guide('flexible-employment', situation('flexible-employment'));
  expect(shown.refused).toEqual([]);
  expect(shown.refusals).toEqual([
    {
      message: {
        zh: '未满16周岁或已达到法定退休年龄（男60周岁、女55周岁起，自2025年起逐步延迟至男63周岁、女58周岁）的人员不能申请（按身份证号码计算）',
        en: 'People under 16 or at or over the statutory retirement age (60 for men and 55 for women, rising gradually from 2025 to 63 and 58) cannot apply (by the ID number)',
      },
      questions: [],
    },
  ]);
});
