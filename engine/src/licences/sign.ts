import { generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from './canonical.js';
import type {
  ELicence,
  LicenceInput,
  LicenceStatus,
  SignedLicence,
  VerifyProblem,
  VerifyResult,
} from './types.js';

/** Issue and verify e-licences with Ed25519 (node:crypto). Pure apart from the signing itself. */

export interface IssuerKey {
  keyId: string;
  privateKey: KeyObject;
}

/** In a trusted key's issuers or typeCodes: any (the centre's own key signs every department's). */
export const ANY = '*';

/**
 * A trusted issuer's public key and what it may sign: a licence of another issuer or type is
 * refused, so a key trusted for one issuer (a bank's) cannot sign another's (a business licence).
 */
export interface TrustedKey {
  publicKey: KeyObject;
  /** Issuing department codes (a licence's `issuer`) it signs for, or [ANY]. */
  issuers: readonly string[];
  /** Licence types (`typeCode`) it signs, or [ANY]. */
  typeCodes: readonly string[];
}

/** Trusted issuer keys, by keyId. */
export type TrustedKeys = ReadonlyMap<string, TrustedKey>;

export function generateIssuerKey(keyId: string): IssuerKey & { publicKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { keyId, privateKey, publicKey };
}

/** Issues a licence on approval; `issuedAt` comes from the caller (no clock in here). */
export function issueLicence(input: LicenceInput, key: IssuerKey, issuedAt: string): SignedLicence {
  const licence: ELicence = { ...input, licenceId: `${input.typeCode}:${input.number}`, issuedAt };
  const signature = sign(null, Buffer.from(canonicalJson(licence)), key.privateKey).toString('base64');
  return { licence, algorithm: 'Ed25519', keyId: key.keyId, signature };
}

/** The fixed messages; notTrustedFor names the key and what it may not sign (scopeProblem). */
const messages: Record<Exclude<VerifyProblem, 'notTrustedFor'>, { zh: string; en: string }> = {
  unknownKey: { zh: '电子证照的签发密钥不受信任', en: 'the e-licence was signed by an untrusted key' },
  badSignature: {
    zh: '电子证照签名校验失败,内容可能被篡改',
    en: 'the e-licence signature does not verify: its content may have been altered',
  },
  notYetValid: { zh: '电子证照尚未生效', en: 'the e-licence is not valid yet' },
  expired: { zh: '电子证照已过有效期', en: 'the e-licence has expired' },
  cancelled: { zh: '电子证照已注销', en: 'the e-licence has been cancelled' },
  revoked: { zh: '电子证照已被撤销', en: 'the e-licence has been revoked' },
};

const fail = (problem: keyof typeof messages): VerifyResult => ({
  ok: false,
  problem,
  message: messages[problem],
});

/**
 * Signature first (a tampered licence fails whatever its dates say), then whether its key may
 * sign for the licence's issuer and type, then validity on `today` (yyyy-MM-dd), then the current
 * status from the licence library.
 */
export function verifyLicence(
  signed: SignedLicence,
  keys: TrustedKeys,
  today: string,
  status: LicenceStatus = 'valid',
): VerifyResult {
  const trusted = keys.get(signed.keyId);
  if (!trusted || signed.algorithm !== 'Ed25519') return fail('unknownKey');
  let good = false;
  try {
    good = verify(
      null,
      Buffer.from(canonicalJson(signed.licence)),
      trusted.publicKey,
      Buffer.from(signed.signature, 'base64'),
    );
  } catch {
    good = false; // a malformed key or signature is a failed verification, not a crash
  }
  if (!good) return fail('badSignature');
  const notTrusted = scopeProblem(trusted, signed);
  if (notTrusted) return { ok: false, problem: 'notTrustedFor', message: notTrusted };
  const { validFrom, validTo } = signed.licence;
  if (today < validFrom) return fail('notYetValid');
  if (validTo !== undefined && today > validTo) return fail('expired');
  if (status !== 'valid') return fail(status);
  return { ok: true };
}

const allows = (list: readonly string[], value: string) => list.includes(ANY) || list.includes(value);

/** Why the key may not sign this licence, naming the key and the issuer or type; null when it may. */
function scopeProblem(trusted: TrustedKey, signed: SignedLicence): { zh: string; en: string } | null {
  const { keyId, licence } = signed;
  if (!allows(trusted.issuers, licence.issuer))
    return {
      zh: `电子证照的签发密钥 ${keyId} 无权代发证机关 ${licence.issuer} 签发证照`,
      en: `the e-licence was signed by key ${keyId}, which is not trusted for its issuer ${licence.issuer}`,
    };
  if (!allows(trusted.typeCodes, licence.typeCode))
    return {
      zh: `电子证照的签发密钥 ${keyId} 无权签发 ${licence.typeCode} 类证照`,
      en: `the e-licence was signed by key ${keyId}, which is not trusted for licences of type ${licence.typeCode}`,
    };
  return null;
}
