/** E-licences (电子证照, GOV-SERVICES 2.13): plain JSON so they cross store and HTTP unchanged. */

export interface LicenceInput {
  /** Licence type code, e.g. business-licence; matches a material's eLicenceType. */
  typeCode: string;
  /** The number printed on the licence. */
  number: string;
  /** Resident ID number or unified social credit code of the holder. */
  holderId: string;
  holderName: string;
  /** Issuing department code. */
  issuer: string;
  /** ISO dates (yyyy-MM-dd). validTo absent: long-term (长期). */
  validFrom: string;
  validTo?: string;
  /** What the licence certifies, keyed by field-library ids so it can pre-fill forms. */
  data: Record<string, unknown>;
}

export interface ELicence extends LicenceInput {
  /** `${typeCode}:${number}`: one licence per type and number. */
  licenceId: string;
  issuedAt: string;
}

export interface SignedLicence {
  licence: ELicence;
  algorithm: 'Ed25519';
  /** Which issuer key signed it. */
  keyId: string;
  /** base64 Ed25519 signature over the canonical JSON of `licence`. */
  signature: string;
}

/** Status is kept outside the signed content: it changes after issue (revoked, cancelled). */
export type LicenceStatus = 'valid' | 'cancelled' | 'revoked';

export type VerifyProblem =
  'unknownKey' | 'badSignature' | 'notTrustedFor' | 'notYetValid' | 'expired' | 'cancelled' | 'revoked';

export type VerifyResult =
  { ok: true } | { ok: false; problem: VerifyProblem; message: { zh: string; en: string } };
