export { canonicalJson } from './canonical.js';
export {
  applyLicences,
  type LicenceReuse,
  type LicenceSatisfaction,
  type MaterialSlot,
  type ReuseInput,
} from './reuse.js';
export { generateIssuerKey, issueLicence, verifyLicence, type IssuerKey, type TrustedKeys } from './sign.js';
export type * from './types.js';
