/** 开办餐饮店 Opening a restaurant, through the service centre. */
import { clerk, DAY, Desk, dept, sample } from './support.js';
import { describeBundle } from './scenarios.js';

const newShop = { enterpriseType: 'individualBusiness', businessScope: ['餐饮服务'] };

describeBundle({
  code: 'restaurant',
  variants: [
    {
      name: 'licensed already, hot meals, sign within the standard, sewer',
      items: ['food-licence', 'shop-sign', 'fire-safety', 'sewer-discharge'],
      visits: ['foodCommitment', 'signFiling', 'sewerDischarge'],
      avoids: ['registration', 'foodInspection', 'signApproval'],
    },
    {
      name: 'new shop, cold and raw food, sign beyond the standard, no sewer',
      answers: {
        alreadyRegistered: 'no',
        foodCategories: ['coldFood', 'rawFood'],
        sign: 'approval',
        sewer: false,
      },
      data: { ...newShop, foodCategories: ['coldFood', 'rawFood'] },
      items: ['business-registration', 'food-licence', 'shop-sign', 'fire-safety'],
      visits: ['registration', 'foodInspection', 'signApproval'],
      avoids: ['foodCommitment', 'signFiling', 'sewerDischarge'],
    },
    {
      name: 'scope change refused: nothing else can be handled',
      answers: { alreadyRegistered: 'yesNoCatering', sign: 'none' },
      data: newShop,
      decisions: { 'business-registration': 'reject' },
      items: ['business-registration', 'food-licence', 'fire-safety', 'sewer-discharge'],
      terminated: ['food-licence', 'fire-safety', 'sewer-discharge'],
      visits: ['registration'],
      avoids: ['fanOut'],
    },
  ],
  supplement: {
    item: 'food-licence',
    entries: [
      {
        materialId: 'floorPlan',
        problem: '平面布局图未标明清洁区与污染区',
        requirement: '按食品经营许可审查要求重新绘制',
      },
    ],
    materials: [{ id: 'floorPlan', status: 'provided' }],
  },
  rejection: { item: 'food-licence', terminated: [] },
  deferral: { material: 'ownerConsent' },
});

describe('restaurant: the on-site inspection (现场核查) is a special step', () => {
  it('stops the case clock and the food licence clock while open; other departments still run late', async () => {
    const desk = await Desk.open({ codes: ['restaurant'] });
    const { answers, data } = sample('restaurant');
    const app = await desk.accepted(
      'restaurant',
      { ...answers, foodCategories: ['coldFood'] },
      { ...data, foodCategories: ['coldFood'] },
    );
    const food = await desk.centre.getTask(dept('market-regulation'), `${app.id}:food-licence`);
    expect(food.specialStep).toBe(true);
    for (const item of ['shop-sign', 'fire-safety']) {
      const department = app.items.find((i) => i.item === item)!.department;
      await desk.centre.approve(dept(department), `${app.id}:${item}`, {});
    }
    desk.advance(14 * DAY); // the sewer permit (5 days) is overdue; the inspection took two weeks
    await desk.centre.sweep();
    let current = await desk.get(app.id);
    expect(current.timeStatus).not.toBe('red');
    expect(current.items.find((i) => i.item === 'sewer-discharge')!.timeStatus).toBe('red');
    expect(current.items.find((i) => i.item === 'food-licence')!.timeStatus).not.toBe('red');
    await desk.centre.approve(dept('market-regulation'), `${app.id}:food-licence`, {});
    current = await desk.get(app.id);
    expect(current.pauses.find((p) => p.reason === 'special-step')!.to).toBe(desk.now);
    desk.advance(8 * DAY); // the clock runs again: its five working days are over by the next Tuesday
    await desk.centre.sweep();
    expect((await desk.get(app.id)).timeStatus).toBe('red');
    await desk.centre.approve(dept('water-authority'), `${app.id}:sewer-discharge`, {});
    expect((await desk.centre.deliver(clerk, app.id, { channel: 'window' })).status).toBe('delivered');
  });
});

describe('restaurant: the situation rules reach the window', () => {
  it('a residential building: no application, the problem names the answer', async () => {
    const desk = await Desk.open({ codes: ['restaurant'] });
    const { answers, data } = sample('restaurant');
    const refused = await desk
      .submitted('restaurant', { ...answers, buildingType: 'residential' }, data)
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({
      code: 'invalid',
      fieldErrors: [{ field: 'answers', message: { zh: expect.stringContaining('所在建筑类型：住宅楼') } }],
    });
  });

  it('raw food: staff health certificates cannot be replaced by a commitment', async () => {
    const desk = await Desk.open({ codes: ['restaurant'] });
    const { answers, data } = sample('restaurant');
    const raw = { foodCategories: ['rawFood'] };
    const app = await desk.submitted('restaurant', { ...answers, ...raw }, { ...data, ...raw });
    expect(app.materials.find((m) => m.id === 'healthCertificates')!.commitment).toBe(false);
    const promise = {
      kind: 'proof' as const,
      materials: ['healthCertificates'],
      signer: '陈六',
      text: '开业前全部取得健康证明',
    };
    await expect(
      desk.accept(app, [{ id: 'healthCertificates', status: 'commitment' }], [promise]),
    ).rejects.toMatchObject({
      code: 'invalid',
      fieldErrors: expect.arrayContaining([
        expect.objectContaining({ field: 'materials.healthCertificates' }),
      ]),
    });
  });
});
