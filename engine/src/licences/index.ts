export { canonicalJson } from './canonical.js';
export {
  applyLicences,
  type LicenceReuse,
  type LicenceSatisfaction,
  type MaterialSlot,
  type ReuseInput,
} from './reuse.js';
export {
  ANY,
  generateIssuerKey,
  issueLicence,
  verifyLicence,
  type IssuerKey,
  type TrustedKey,
  type TrustedKeys,
} from './sign.js';
export type * from './types.js';
