/**
 * 免证办 across bundles: every bundle accepts an e-licence that another bundle's item issued.
 * - the business licence 企业开办 issues on registration: 开办餐饮店 and 水电气网联合报装;
 * - the business licence 开办餐饮店 issues to an individual business: 灵活就业 (无雇工的个体工商户);
 * - the medical-insurance enrolment 灵活就业 issues: 新生儿出生, when the household is in another
 *   city and the baby enrols here through a parent insured here (illustrative local rule);
 * - 新生儿出生 accepts nothing else from our bundles: marriage certificate, household booklet and
 *   resident ID are issued by Civil Affairs and Public Security, which no example bundle covers.
 */
import type { Applicant } from '../../engine/src/applications/types.js';
import { APPLICANTS, clerk, Desk, dept, itemsBy, sample } from './support.js';

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
    outputs: { creditCode: CREDIT_CODE },
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

/** 陈六 opens his restaurant as an individual business (个体工商户): registration issues him a business licence. */
const INDIVIDUAL_CODE = '92440400MA4W12357N';
const operator = APPLICANTS.restaurant;

async function individualBusinessRegistered(desk: Desk) {
  const app = await desk.accepted(
    'restaurant',
    { ...sample('restaurant').answers, alreadyRegistered: 'no' },
    { ...sample('restaurant').data, enterpriseType: 'individualBusiness', businessScope: ['餐饮服务'] },
  );
  await desk.centre.approve(dept('market-regulation'), `${app.id}:business-registration`, {
    resultNumber: INDIVIDUAL_CODE,
  });
  const licences = await desk.centre.listLicences(clerk, operator.idNumber);
  return licences.find((l) => l.typeCode === 'business-licence')!;
}

/** The flexible-employment form filled for `who`, working as an individual business without employees. */
const flexibleFor = (who: Applicant) => ({
  answers: {
    ...sample('flexible-employment').answers,
    employmentForm: 'individualBusiness',
    subsidyGroup: false,
  },
  data: { ...sample('flexible-employment').data, name: who.name, idNumber: who.idNumber, mobile: who.phone },
});

describe('灵活就业: an individual business owner shows the business licence that 开办餐饮店 issued him', () => {
  it('the licence issued on the restaurant’s registration stands in for the licence at acceptance', async () => {
    const desk = await Desk.open({ codes: ['restaurant', 'flexible-employment'] });
    const licence = await individualBusinessRegistered(desk);
    expect(licence).toMatchObject({
      holderId: operator.idNumber,
      item: 'business-registration',
      signed: { licence: { issuer: 'market-regulation', number: INDIVIDUAL_CODE } },
    });
    const { answers, data } = flexibleFor(operator);
    const app = await desk.submitted('flexible-employment', answers, data, operator);
    expect(app.materials.find((m) => m.id === 'businessLicence')).toMatchObject({
      eLicenceType: 'business-licence',
      required: true,
      items: ['flexible-employment-registration'],
    });
    const accepted = await desk.accept(app, [
      { id: 'businessLicence', status: 'eLicence', licenceId: licence.id },
    ]);
    expect(accepted.materials.find((m) => m.id === 'businessLicence')).toMatchObject({
      status: 'eLicence',
      licenceId: licence.id,
    });
    expect(itemsBy(await desk.decideAll(app.id), 'approved')).toContain('flexible-employment-registration');
  });

  it('someone else cannot use it, and a platform rider is not asked for a licence at all', async () => {
    const desk = await Desk.open({ codes: ['restaurant', 'flexible-employment'] });
    const licence = await individualBusinessRegistered(desk);
    const other = APPLICANTS['flexible-employment'];
    const { answers, data } = flexibleFor(other);
    const app = await desk.submitted('flexible-employment', answers, data, other);
    await expect(
      desk.accept(app, [{ id: 'businessLicence', status: 'eLicence', licenceId: licence.id }]),
    ).rejects.toMatchObject({
      code: 'invalid',
      fieldErrors: [expect.objectContaining({ field: 'materials.businessLicence.licenceId' })],
    });
    const rider = await desk.submitted('flexible-employment');
    expect(rider.materials.map((m) => m.id)).not.toContain('businessLicence');
  });
});

describe('新生儿出生: a parent insured here as a flexible worker shows the enrolment licence 灵活就业 issued', () => {
  const parent = APPLICANTS.newborn; // 张三, the father, applies for the baby
  const householdElsewhere = { ...sample('newborn').answers, hukouInCity: false, cardDelivery: 'bankOutlet' };

  async function enrolledAsFlexibleWorker(desk: Desk) {
    const { data } = sample('flexible-employment');
    const app = await desk.accepted(
      'flexible-employment',
      undefined,
      { ...data, name: parent.name, idNumber: parent.idNumber, mobile: parent.phone },
      parent,
    );
    const done = await desk.decideAll(app.id);
    expect(itemsBy(done, 'approved')).toContain('medical-enrolment');
    return (await desk.centre.listLicences(clerk, parent.idNumber)).find(
      (l) => l.typeCode === 'medical-insurance-enrolment',
    )!;
  }

  it('household in another city: the baby’s medical enrolment accepts the parent’s licence', async () => {
    const desk = await Desk.open({ codes: ['flexible-employment', 'newborn'] });
    const licence = await enrolledAsFlexibleWorker(desk);
    expect(licence).toMatchObject({
      holderId: parent.idNumber,
      item: 'medical-enrolment',
      signed: { licence: { issuer: 'medical-security', data: { name: parent.name } } },
    });
    const app = await desk.submitted('newborn', householdElsewhere, undefined, parent);
    expect(app.materials.find((m) => m.id === 'parentLocalInsurance')).toMatchObject({
      eLicenceType: 'medical-insurance-enrolment',
      required: true,
      items: ['medical-enrolment'],
    });
    const accepted = await desk.accept(app, [
      { id: 'parentLocalInsurance', status: 'eLicence', licenceId: licence.id },
    ]);
    expect(accepted.materials.find((m) => m.id === 'parentLocalInsurance')).toMatchObject({
      status: 'eLicence',
      licenceId: licence.id,
    });
    expect(itemsBy(await desk.decideAll(app.id), 'approved')).toContain('medical-enrolment');
  });

  it('the licence does not stand in for another material, nor for another parent', async () => {
    const desk = await Desk.open({ codes: ['flexible-employment', 'newborn'] });
    const licence = await enrolledAsFlexibleWorker(desk);
    const own = await desk.submitted('newborn', householdElsewhere, undefined, parent);
    await expect(
      desk.accept(own, [{ id: 'householdBooklet', status: 'eLicence', licenceId: licence.id }]),
    ).rejects.toMatchObject({ code: 'invalid' });
    const mother = { ...parent, name: '李红', idNumber: '11010519491231002X' };
    const hers = await desk.submitted('newborn', householdElsewhere, undefined, mother);
    await expect(
      desk.accept(hers, [{ id: 'parentLocalInsurance', status: 'eLicence', licenceId: licence.id }]),
    ).rejects.toMatchObject({
      code: 'invalid',
      fieldErrors: [expect.objectContaining({ field: 'materials.parentLocalInsurance.licenceId' })],
    });
  });

  it('household here: the baby enrols as a local resident and no proof is asked', async () => {
    const desk = await Desk.open({ codes: ['newborn'] });
    const app = await desk.submitted('newborn');
    expect(app.materials.map((m) => m.id)).not.toContain('parentLocalInsurance');
  });
});
