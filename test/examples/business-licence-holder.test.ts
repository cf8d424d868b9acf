/**
 * 企业开办: the business licence belongs to the new enterprise, held under the unified social
 * credit code its registration gave (the item's `creditCode` output), not under the registration's
 * own result number; so the company's later bundles find it by its code. A holder the department
 * names on the approval (`licence.holderId`) still wins.
 */
import { APPLICANTS, clerk, Desk, dept } from './support.js';

const CREDIT_CODE = '91440400MA4W12346M';
const REGISTRATION_NUMBER = 'REG-2026-000123'; // market regulation's own number for the registration

async function registeredWith(desk: Desk, licence?: { typeCode: string; holderId?: string }) {
  const app = await desk.accepted('business-startup');
  await desk.centre.approve(dept('market-regulation'), `${app.id}:enterprise-registration`, {
    resultNumber: REGISTRATION_NUMBER,
    outputs: { creditCode: CREDIT_CODE },
    ...(licence ? { licence } : {}),
  });
  return app;
}

const businessLicences = async (desk: Desk, holderId: string) =>
  (await desk.centre.listLicences(clerk, holderId)).filter((l) => l.typeCode === 'business-licence');

describe('the business licence’s holder', () => {
  it('is the credit code the registration gave, not the registration’s result number', async () => {
    const desk = await Desk.open({ codes: ['business-startup', 'restaurant'] });
    const app = await registeredWith(desk);
    const [licence] = await businessLicences(desk, CREDIT_CODE);
    expect(licence).toMatchObject({
      holderId: CREDIT_CODE,
      applicationId: app.id,
      signed: { licence: { number: REGISTRATION_NUMBER, data: { creditCode: CREDIT_CODE } } },
    });
    expect(await businessLicences(desk, REGISTRATION_NUMBER)).toEqual([]);

    // The company opening a restaurant shows it by its code (免证办).
    const company = { ...APPLICANTS.restaurant, kind: 'organisation' as const, idNumber: CREDIT_CODE };
    const shop = await desk.submitted('restaurant', undefined, undefined, company);
    const accepted = await desk.accept(shop, [
      { id: 'businessLicence', status: 'eLicence', licenceId: licence!.id },
    ]);
    expect(accepted.materials.find((m) => m.id === 'businessLicence')).toMatchObject({ status: 'eLicence' });
  });

  it('is the one the department names on the approval, when it names one', async () => {
    const desk = await Desk.open({ codes: ['business-startup'] });
    const named = '91440400MA5XXXXX1X';
    await registeredWith(desk, { typeCode: 'business-licence', holderId: named });
    expect(await businessLicences(desk, named)).toHaveLength(1);
    expect(await businessLicences(desk, CREDIT_CODE)).toEqual([]);
  });
});
