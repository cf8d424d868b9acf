/**
 * Crosses engine/src/licences and forms/: a business licence issued when enterprise registration
 * (企业开办 A1) is approved replaces the business-licence material at the next application
 * (开办餐饮店) and pre-fills its credit code; a tampered copy is refused. A person's licences cross
 * too: 开办餐饮店's individual-business licence at 灵活就业, 灵活就业's medical-insurance enrolment
 * at 新生儿出生.
 */
import {
  applyLicences,
  generateIssuerKey,
  issueLicence,
  type SignedLicence,
  type TrustedKeys,
} from '../engine/src/licences/index.js';
import { readExampleBundle } from '../forms/src/bundle/examples.js';
import { licenceContentFor } from '../forms/src/licences/index.js';
import { mergeBundle } from '../forms/src/merge/index.js';
import { samples } from '../forms/src/testing/samples.js';

const key = generateIssuerKey('market-regulation-2026');
/** The market regulator's key signs business licences only (an individual business's too). */
const marketTrust = {
  publicKey: key.publicKey,
  issuers: ['market-regulation'],
  typeCodes: ['business-licence'],
};
const keys: TrustedKeys = new Map([[key.keyId, marketTrust]]);
const creditCode = '91440400MA4W12346M';

/** What the registration item's approval issues: content from bundle.json, number from the department. */
function approveRegistration(): SignedLicence {
  const content = licenceContentFor(
    readExampleBundle('business-startup'),
    'enterprise-registration',
    samples['business-startup']!,
  )!;
  return issueLicence(
    {
      typeCode: content.typeCode,
      number: creditCode,
      holderId: creditCode,
      holderName: content.data.companyName as string,
      issuer: 'market-regulation',
      validFrom: '2026-03-02',
      data: { ...content.data, creditCode }, // the credit code is the registration's own output
    },
    key,
    '2026-03-02T10:00:00+08:00',
  );
}

describe('e-licence reuse across bundles', () => {
  const restaurant = mergeBundle(readExampleBundle('restaurant'), {
    alreadyRegistered: 'yes',
    foodCategories: ['hotMeals'],
    sign: 'filing',
    sewer: true,
  });
  const reuse = (licences: SignedLicence[]) =>
    applyLicences({
      licences,
      materials: restaurant.materials,
      holderIds: [creditCode],
      fields: restaurant.fields.map((f) => f.id),
      keys,
      today: '2026-04-01',
      now: '2026-04-01T09:00:00+08:00',
    });

  it('the licence issued on approval stands in for the material at the next acceptance', () => {
    const r = reuse([approveRegistration()]);
    const served = restaurant.materials.find((m) => m.id === 'businessLicence')!;
    expect(served.items.length).toBeGreaterThan(1);
    expect(r.satisfied).toEqual([
      {
        materialId: 'businessLicence',
        licenceId: `business-licence:${creditCode}`,
        verifiedAt: '2026-04-01T09:00:00+08:00',
        verifyResult: 'valid',
      },
    ]);
    expect(r.prefill).toEqual({ creditCode });
    const stillToBring = restaurant.materials
      .filter((m) => m.required && !r.satisfied.some((s) => s.materialId === m.id))
      .map((m) => m.id);
    expect(stillToBring).not.toContain('businessLicence');
    expect(stillToBring).toContain('floorPlan');
  });

  it('a tampered licence fails and the material is still asked for', () => {
    const forged = structuredClone(approveRegistration());
    forged.licence.data.companyName = '冒名公司';
    const r = reuse([forged]);
    expect(r.satisfied).toEqual([]);
    expect(r.refused).toEqual([{ licenceId: `business-licence:${creditCode}`, problem: 'badSignature' }]);
    expect(r.prefill).toEqual({});
  });
});

/** A person's licence from another bundle's approval, matched at the next bundle's merged materials. */
describe('e-licence reuse for a person across bundles', () => {
  const person = '440402199003071232';
  const hrKey = generateIssuerKey('medical-security-2026');
  const trusted: TrustedKeys = new Map([
    [key.keyId, marketTrust],
    [
      hrKey.keyId,
      {
        publicKey: hrKey.publicKey,
        issuers: ['medical-security'],
        typeCodes: ['medical-insurance-enrolment'],
      },
    ],
  ]);

  function approve(bundle: string, item: string, number: string, issuer: string, issuerKey = key) {
    const content = licenceContentFor(readExampleBundle(bundle), item, samples[bundle]!)!;
    return issueLicence(
      {
        typeCode: content.typeCode,
        number,
        holderId: person,
        holderName: '陈六',
        issuer,
        validFrom: '2026-03-02',
        data: content.data,
      },
      issuerKey,
      '2026-03-02T10:00:00+08:00',
    );
  }
  const reuseAt = (bundle: string, answers: Record<string, unknown>, licences: SignedLicence[]) => {
    const merged = mergeBundle(readExampleBundle(bundle), answers);
    return applyLicences({
      licences,
      materials: merged.materials,
      holderIds: [person],
      fields: merged.fields.map((f) => f.id),
      keys: trusted,
      today: '2026-04-01',
      now: '2026-04-01T09:00:00+08:00',
    });
  };

  it('开办餐饮店 issues an individual business its licence; 灵活就业 takes it for the owner', () => {
    const licence = approve('restaurant', 'business-registration', '92440400MA4W12357N', 'market-regulation');
    const flexible = { ...samples['flexible-employment']!.situation, employmentForm: 'individualBusiness' };
    expect(reuseAt('flexible-employment', flexible, [licence]).satisfied).toEqual([
      expect.objectContaining({
        materialId: 'businessLicence',
        licenceId: 'business-licence:92440400MA4W12357N',
      }),
    ]);
    // A platform rider has no business licence to show: the same licence serves nothing there.
    const rider = { ...flexible, employmentForm: 'platform' };
    expect(reuseAt('flexible-employment', rider, [licence]).satisfied).toEqual([]);
  });

  it('灵活就业 issues the medical-insurance enrolment; 新生儿出生 takes it when the household is elsewhere', () => {
    const licence = approve(
      'flexible-employment',
      'medical-enrolment',
      'YB2026-0001',
      'medical-security',
      hrKey,
    );
    expect(licence.licence.data).toEqual({ name: '王芳', medicalTier: 'tier1', startMonth: '2026-03' });
    const elsewhere = { ...samples.newborn!.situation, hukouInCity: false };
    const r = reuseAt('newborn', elsewhere, [licence]);
    expect(r.satisfied).toEqual([
      expect.objectContaining({
        materialId: 'parentLocalInsurance',
        licenceId: 'medical-insurance-enrolment:YB2026-0001',
      }),
    ]);
    expect(reuseAt('newborn', samples.newborn!.situation!, [licence]).satisfied).toEqual([]);
    // Another parent's licence is never the applicant's, whatever it says.
    const anotherParents = structuredClone(licence);
    anotherParents.licence.holderId = '11010519491231002X';
    expect(reuseAt('newborn', elsewhere, [anotherParents]).refused).toEqual([
      { licenceId: 'medical-insurance-enrolment:YB2026-0001', problem: 'notHolder' },
    ]);
  });
});
