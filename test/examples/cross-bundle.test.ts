/**
 * 免证办 across bundles: the business licence that 企业开办 issues on registration is an e-licence
 * that 开办餐饮店 and 水电气网联合报装 accept in place of the paper licence.
 */
import { APPLICANTS, clerk, Desk, dept, sample } from './support.js';

const CREDIT_CODE = '91440400MA4W12346M';
/** The enterprise that registration created: it holds its business licence under its credit code. */
const company = (code: keyof typeof APPLICANTS) => ({
  ...APPLICANTS[code],
  kind: 'organisation' as const,
  name: '珠海市香洲区某某科技有限公司',
  idNumber: CREDIT_CODE,
});

async function registered(desk: Desk) {
  const app = await desk.accepted('business-startup');
  // bundle.json declares the licence registration issues (holder: the result number = credit code).
  await desk.centre.approve(dept('market-regulation'), `${app.id}:enterprise-registration`, {
    resultNumber: CREDIT_CODE,
  });
  const [licence] = (await desk.centre.listLicences(clerk, CREDIT_CODE)).filter(
    (l) => l.typeCode === 'business-licence',
  );
  expect(await desk.centre.listLicences(clerk, APPLICANTS['business-startup'].idNumber)).toEqual([]);
  return licence!;
}

describe('the business licence from 企业开办 replaces a material in other bundles', () => {
  it('开办餐饮店: an already registered shop shows its business licence as an e-licence', async () => {
    const desk = await Desk.open({ codes: ['business-startup', 'restaurant'] });
    const licence = await registered(desk);
    const app = await desk.submitted('restaurant', undefined, undefined, company('restaurant'));
    expect(app.materials.find((m) => m.id === 'businessLicence')).toMatchObject({
      eLicenceType: 'business-licence',
      required: true,
    });
    const accepted = await desk.accept(app, [
      { id: 'businessLicence', status: 'eLicence', licenceId: licence.id },
    ]);
    expect(accepted.materials.find((m) => m.id === 'businessLicence')).toMatchObject({
      status: 'eLicence',
      licenceId: licence.id,
    });
    expect((await desk.decideAll(app.id)).status).toBe('results-ready');
  });

  it('开办餐饮店: a licence of another type or another holder is refused at the window', async () => {
    const desk = await Desk.open({ codes: ['business-startup', 'restaurant'] });
    const licence = await registered(desk);
    const stranger = await desk.submitted('restaurant', undefined, undefined, {
      ...APPLICANTS.restaurant,
      idNumber: '11010519491231002X',
    });
    await expect(
      desk.accept(stranger, [{ id: 'businessLicence', status: 'eLicence', licenceId: licence.id }]),
    ).rejects.toMatchObject({
      code: 'invalid',
      fieldErrors: [expect.objectContaining({ field: 'materials.businessLicence.licenceId' })],
    });
    const own = await desk.submitted('restaurant', undefined, undefined, company('restaurant'));
    await expect(
      desk.accept(own, [{ id: 'premisesProof', status: 'eLicence', licenceId: licence.id }]),
    ).rejects.toMatchObject({
      code: 'invalid',
    });
  });

  it('水电气网联合报装: the business licence stands in for the applicant’s identity proof', async () => {
    const desk = await Desk.open({ codes: ['business-startup', 'utility-connection'] });
    const licence = await registered(desk);
    // 张三 registered the company, but the licence is the company's: in his own name it is refused.
    const { answers, data } = sample('utility-connection');
    const app = await desk.submitted('utility-connection', answers, data, APPLICANTS['business-startup']);
    await expect(
      desk.accept(app, [{ id: 'applicantIdentity', status: 'eLicence', licenceId: licence.id }]),
    ).rejects.toMatchObject({
      code: 'invalid',
      fieldErrors: [expect.objectContaining({ field: 'materials.applicantIdentity.licenceId' })],
    });
  });
});

describe('the business licence is held by the new enterprise (its credit code), not by the person who applied', () => {
  it('水电气网联合报装 applied for by the company accepts the company’s business licence', async () => {
    const desk = await Desk.open({ codes: ['business-startup', 'utility-connection'] });
    const licence = await registered(desk);
    const company = { ...APPLICANTS['utility-connection'], idNumber: licence.signed.licence.number };
    const app = await desk.submitted('utility-connection', undefined, undefined, company);
    const accepted = await desk.accept(app, [
      { id: 'applicantIdentity', status: 'eLicence', licenceId: licence.id },
    ]);
    expect(accepted.materials.find((m) => m.id === 'applicantIdentity')).toMatchObject({
      status: 'eLicence',
    });
  });
});
