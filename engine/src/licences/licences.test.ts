import { canonicalJson } from './canonical.js';
import { applyLicences } from './reuse.js';
import { ANY, generateIssuerKey, issueLicence, verifyLicence, type TrustedKeys } from './sign.js';
import type { LicenceInput, SignedLicence } from './types.js';

const market = generateIssuerKey('market-regulation-2026');
const keys: TrustedKeys = new Map([
  [
    market.keyId,
    { publicKey: market.publicKey, issuers: ['market-regulation'], typeCodes: ['business-licence'] },
  ],
]);
const input: LicenceInput = {
  typeCode: 'business-licence',
  number: '91440400MA4W12346M',
  holderId: '91440400MA4W12346M',
  holderName: '珠海市某某科技有限公司',
  issuer: 'market-regulation',
  validFrom: '2026-03-01',
  data: {
    creditCode: '91440400MA4W12346M',
    companyName: '珠海市某某科技有限公司',
    legalRepName: '张三',
    registeredCapital: 100,
  },
};
const licence = issueLicence(input, market, '2026-03-01T10:00:00+08:00');
const tamper = (change: (l: SignedLicence) => void): SignedLicence => {
  const copy = structuredClone(licence);
  change(copy);
  return copy;
};

describe('e-licence signing (Ed25519)', () => {
  it('issues with a stable id and verifies', () => {
    expect(licence.licence.licenceId).toBe('business-licence:91440400MA4W12346M');
    expect(Buffer.from(licence.signature, 'base64')).toHaveLength(64);
    expect(verifyLicence(licence, keys, '2026-06-01')).toEqual({ ok: true });
  });

  it('survives a JSON round trip with reordered keys', () => {
    const reordered = JSON.parse(
      JSON.stringify({
        signature: licence.signature,
        keyId: licence.keyId,
        algorithm: licence.algorithm,
        licence: Object.fromEntries(Object.entries(licence.licence).reverse()),
      }),
    ) as SignedLicence;
    expect(verifyLicence(reordered, keys, '2026-06-01')).toEqual({ ok: true });
  });

  it.each([
    ['changed data', (l: SignedLicence) => void (l.licence.data.registeredCapital = 1000)],
    ['changed holder', (l: SignedLicence) => void (l.licence.holderId = '91350100M000100Y43')],
    ['extended validity', (l: SignedLicence) => void (l.licence.validTo = '2099-12-31')],
    [
      'flipped signature bit',
      (l: SignedLicence) =>
        void (l.signature = Buffer.from(
          Buffer.from(l.signature, 'base64').map((b, i) => (i === 0 ? b ^ 1 : b)),
        ).toString('base64')),
    ],
    ['garbage signature', (l: SignedLicence) => void (l.signature = 'not base64!')],
  ])('a tampered licence fails verification: %s', (_what, change) => {
    const result = verifyLicence(tamper(change), keys, '2026-06-01');
    expect(result).toMatchObject({ ok: false, problem: 'badSignature' });
    if (!result.ok) expect(result.message.zh).toContain('篡改');
  });

  it('refuses an unknown key, a key that did not sign it, dates outside validity and a revoked status', () => {
    const other = generateIssuerKey('market-regulation-2026');
    expect(
      verifyLicence(
        tamper((l) => void (l.keyId = 'rogue')),
        keys,
        '2026-06-01',
      ),
    ).toMatchObject({ problem: 'unknownKey' });
    const otherKeys = new Map([
      [other.keyId, { publicKey: other.publicKey, issuers: [ANY], typeCodes: [ANY] }],
    ]);
    expect(verifyLicence(licence, otherKeys, '2026-06-01')).toMatchObject({ problem: 'badSignature' });
    expect(verifyLicence(licence, keys, '2026-02-28')).toMatchObject({ problem: 'notYetValid' });
    const dated = issueLicence({ ...input, validTo: '2026-12-31' }, market, '2026-03-01T10:00:00+08:00');
    expect(verifyLicence(dated, keys, '2026-12-31')).toEqual({ ok: true });
    expect(verifyLicence(dated, keys, '2027-01-01')).toMatchObject({
      problem: 'expired',
      message: { en: 'the e-licence has expired' },
    });
    expect(verifyLicence(licence, keys, '2026-06-01', 'revoked')).toMatchObject({ problem: 'revoked' });
  });

  it('refuses a genuine signature by a key not trusted for the licence issuer or type, naming them', () => {
    const bank = generateIssuerKey('bank-2026');
    const trusted: TrustedKeys = new Map([
      ...keys,
      [bank.keyId, { publicKey: bank.publicKey, issuers: ['bank'], typeCodes: ['deposit-certificate'] }],
    ]);
    const asMarket = issueLicence(input, bank, '2026-03-01T10:00:00+08:00');
    expect(verifyLicence(asMarket, trusted, '2026-06-01')).toEqual({
      ok: false,
      problem: 'notTrustedFor',
      message: {
        zh: '电子证照的签发密钥 bank-2026 无权代发证机关 market-regulation 签发证照',
        en: 'the e-licence was signed by key bank-2026, which is not trusted for its issuer market-regulation',
      },
    });
    const asBank = issueLicence({ ...input, issuer: 'bank' }, bank, '2026-03-01T10:00:00+08:00');
    expect(verifyLicence(asBank, trusted, '2026-06-01')).toMatchObject({
      problem: 'notTrustedFor',
      message: {
        en: 'the e-licence was signed by key bank-2026, which is not trusted for licences of type business-licence',
      },
    });
    const deposit = issueLicence(
      { ...input, issuer: 'bank', typeCode: 'deposit-certificate' },
      bank,
      '2026-03-01T10:00:00+08:00',
    );
    expect(verifyLicence(deposit, trusted, '2026-06-01')).toEqual({ ok: true });
    const unscoped = new Map([[market.keyId, { publicKey: market.publicKey, issuers: [], typeCodes: [] }]]);
    expect(verifyLicence(licence, unscoped, '2026-06-01')).toMatchObject({ problem: 'notTrustedFor' });
  });

  it('canonical JSON sorts keys and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: undefined }], e: null })).toBe(
      '{"a":[{"d":2}],"b":1,"e":null}',
    );
  });
});

describe('applyLicences', () => {
  const materials = [
    { id: 'businessLicence', eLicenceType: 'business-licence' },
    { id: 'floorPlan' },
    { id: 'operatorIdentity', eLicenceType: 'resident-id-card' },
  ];
  const base = {
    materials,
    keys,
    today: '2026-06-01',
    now: '2026-06-01T09:00:00+08:00',
    fields: ['creditCode', 'companyName', 'shopName'],
  };

  it('marks materials satisfied by the holder’s valid licences and pre-fills the form’s fields only', () => {
    const r = applyLicences({ ...base, licences: [licence], holderIds: ['91440400MA4W12346M'] });
    expect(r.satisfied).toEqual([
      {
        materialId: 'businessLicence',
        licenceId: 'business-licence:91440400MA4W12346M',
        verifiedAt: '2026-06-01T09:00:00+08:00',
        verifyResult: 'valid',
      },
    ]);
    expect(r.prefill).toEqual({ creditCode: '91440400MA4W12346M', companyName: '珠海市某某科技有限公司' });
    expect(r.refused).toEqual([]);
  });

  it('never uses someone else’s licence or a tampered or revoked one', () => {
    expect(applyLicences({ ...base, licences: [licence], holderIds: ['440402199003071232'] })).toEqual({
      satisfied: [],
      refused: [{ licenceId: licence.licence.licenceId, problem: 'notHolder' }],
      prefill: {},
    });
    const forged = tamper((l) => void (l.licence.data.companyName = '别人的公司'));
    expect(applyLicences({ ...base, licences: [forged], holderIds: ['91440400MA4W12346M'] }).refused).toEqual(
      [{ licenceId: licence.licence.licenceId, problem: 'badSignature' }],
    );
    const revoked = applyLicences({
      ...base,
      licences: [licence],
      holderIds: ['91440400MA4W12346M'],
      statusOf: () => 'revoked',
    });
    expect(revoked.satisfied).toEqual([]);
  });
});
