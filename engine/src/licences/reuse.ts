import { verifyLicence, type TrustedKeys } from './sign.js';
import type { LicenceStatus, SignedLicence, VerifyProblem } from './types.js';

/**
 * At acceptance: the applicant's valid e-licences stand in for the materials they replace
 * (免证办) and pre-fill the fields they carry. Structural inputs, so forms/ and engine/ stay apart:
 * `materials` is the merged materials list of forms/src/merge.
 */

export interface MaterialSlot {
  id: string;
  eLicenceType?: string;
}

/** What the material slot records instead of an upload (GOV-SERVICES 2.13). */
export interface LicenceSatisfaction {
  materialId: string;
  licenceId: string;
  verifiedAt: string;
  verifyResult: 'valid';
}

export interface LicenceReuse {
  satisfied: LicenceSatisfaction[];
  /** Licences that were offered but could not be used, with the reason. */
  refused: { licenceId: string; problem: VerifyProblem | 'notHolder' }[];
  /** Field id → value from the licences' data, only for fields the form has. */
  prefill: Record<string, unknown>;
}

export interface ReuseInput {
  licences: SignedLicence[];
  materials: MaterialSlot[];
  /** The applicant (or the organisation applying): only their own licences are used. */
  holderIds: string[];
  /** Field ids of the unified form. */
  fields: Iterable<string>;
  keys: TrustedKeys;
  today: string;
  /** Time recorded on the satisfaction (ISO). */
  now: string;
  statusOf?: (licenceId: string) => LicenceStatus;
}

export function applyLicences(input: ReuseInput): LicenceReuse {
  const fields = new Set(input.fields);
  const holders = new Set(input.holderIds);
  const out: LicenceReuse = { satisfied: [], refused: [], prefill: {} };
  const usable: SignedLicence[] = [];
  for (const signed of input.licences) {
    const { licenceId, holderId } = signed.licence;
    if (!holders.has(holderId)) {
      out.refused.push({ licenceId, problem: 'notHolder' });
      continue;
    }
    const result = verifyLicence(signed, input.keys, input.today, input.statusOf?.(licenceId) ?? 'valid');
    if (result.ok) usable.push(signed);
    else out.refused.push({ licenceId, problem: result.problem });
  }
  for (const m of input.materials) {
    const licence = m.eLicenceType && usable.find((l) => l.licence.typeCode === m.eLicenceType);
    if (licence)
      out.satisfied.push({
        materialId: m.id,
        licenceId: licence.licence.licenceId,
        verifiedAt: input.now,
        verifyResult: 'valid',
      });
  }
  for (const l of usable) {
    for (const [field, value] of Object.entries(l.licence.data))
      if (fields.has(field) && !(field in out.prefill)) out.prefill[field] = value;
  }
  return out;
}
