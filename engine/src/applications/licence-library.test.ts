/**
 * The licence library trusts each key for the issuers and licence types it is configured with:
 * a licence another system put into the shared store (here: a second library over the same
 * DocStore, as an import from the province's library would) verifies only when its key may sign
 * for its issuer and type. The centre's own key, configured bare, signs every department's.
 */
import type { KeyObject } from 'node:crypto';
import { MemoryDocStore } from '../domain/docs.js';
import { generateIssuerKey, type LicenceInput, type TrustedKey } from '../licences/index.js';
import { LicenceLibrary, maskedLicence, type LicenceDoc } from './licence-library.js';

const holder = '91440400MA4W12346M';
const at = Date.parse('2026-03-01T02:00:00Z');
const later = Date.parse('2026-06-01T02:00:00Z');
const businessLicence = { id: 'businessLicence', eLicenceType: 'business-licence' };

function licence(number: string, issuer: string, typeCode = 'business-licence'): LicenceInput {
  return {
    typeCode,
    number,
    holderId: holder,
    holderName: '珠海市某某科技有限公司',
    issuer,
    validFrom: '2026-03-01',
    data: {},
  };
}

describe('LicenceLibrary trust per issuer and licence type', () => {
  const docs = new MemoryDocStore();
  const centre = generateIssuerKey('centre-2026');
  const bank = generateIssuerKey('bank-2026');
  const market = generateIssuerKey('market-regulation-2026');
  const stray = generateIssuerKey('stray-2026');
  const library = new LicenceLibrary(docs, {
    issuer: centre,
    trusted: new Map<string, TrustedKey | KeyObject>([
      [centre.keyId, centre.publicKey],
      [bank.keyId, { publicKey: bank.publicKey, issuers: ['bank'], typeCodes: ['deposit-certificate'] }],
      [
        market.keyId,
        { publicKey: market.publicKey, issuers: ['market-regulation'], typeCodes: ['business-licence'] },
      ],
      [stray.keyId, stray.publicKey],
    ]),
  });
  /** Puts a licence signed with `key` into the shared store, as another system would. */
  const signedElsewhere = async (key: typeof bank, input: LicenceInput) =>
    new LicenceLibrary(docs, { issuer: key, trusted: new Map() }).issue(input, at, {
      applicationId: 'elsewhere',
      item: 'imported',
    });
  const verify = (licenceId: string) => library.verifyFor(licenceId, businessLicence, [holder], later);

  it('refuses a business licence signed by a bank key, naming the key and the issuer or type', async () => {
    const asMarket = await signedElsewhere(bank, licence('B-1', 'market-regulation'));
    expect(await verify(asMarket.id)).toEqual({
      zh: '电子证照的签发密钥 bank-2026 无权代发证机关 market-regulation 签发证照',
      en: 'the e-licence was signed by key bank-2026, which is not trusted for its issuer market-regulation',
    });
    const asBank = await signedElsewhere(bank, licence('B-2', 'bank'));
    expect(await verify(asBank.id)).toMatchObject({
      en: 'the e-licence was signed by key bank-2026, which is not trusted for licences of type business-licence',
    });
  });

  it("accepts a licence of a key trusted for its issuer and type, and the centre's own for any department", async () => {
    const fromMarket = await signedElsewhere(market, licence('M-1', 'market-regulation'));
    expect(await verify(fromMarket.id)).toBeNull();
    const own = await library.issue(licence('C-1', 'market-regulation'), at, {
      applicationId: 'a1',
      item: 'reg',
    });
    expect(await verify(own.id)).toBeNull();
  });

  it('a bare key other than the centre’s own signs nothing: what it may sign for was never configured', async () => {
    const fromStray = await signedElsewhere(stray, licence('S-1', 'market-regulation'));
    expect(await verify(fromStray.id)).toMatchObject({
      zh: '电子证照的签发密钥 stray-2026 无权代发证机关 market-regulation 签发证照',
    });
  });
});

describe('maskedLicence', () => {
  it('stars a key the licence lists as sealed that the field library does not know, as well as library fields', () => {
    const signed = { licence: { data: { childId: 'C1234567', babyName: '张小宝', note: '首次签发' } } };
    const doc = { id: 'l', rev: 1, signed, sealedKeys: ['childId'] } as unknown as LicenceDoc;
    expect(maskedLicence(doc).signed.licence.data).toEqual({
      childId: '********',
      babyName: '***',
      note: '首次签发',
    });
    // Without the list, only the library's sensitive fields.
    const { sealedKeys: _, ...unlisted } = doc;
    expect(maskedLicence(unlisted as LicenceDoc).signed.licence.data).toMatchObject({ childId: 'C1234567' });
  });
});
