/**
 * Crosses engine/src/licences and forms/: a business licence issued when enterprise registration
 * (企业开办 A1) is approved replaces the business-licence material at the next application
 * (开办餐饮店) and pre-fills its credit code; a tampered copy is refused.
 */
import {
  applyLicences,
  generateIssuerKey,
  issueLicence,
  type SignedLicence,
} from '../engine/src/licences/index.js';
import { readExampleBundle } from '../forms/src/bundle/examples.js';
import { licenceContentFor } from '../forms/src/licences/index.js';
import { mergeBundle } from '../forms/src/merge/index.js';
import { samples } from '../forms/src/testing/samples.js';

const key = generateIssuerKey('market-regulation-2026');
const keys = new Map([[key.keyId, key.publicKey]]);
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
