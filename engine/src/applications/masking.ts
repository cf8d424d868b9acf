/**
 * What a reader other than the applicant sees of a case's personal data: sensitive form values
 * and an agent's ID number and phone masked, an assisted service summarised without ID numbers.
 */
import { compileForm } from '../../../forms/src/merge/index.js';
import { maskText, maskValue } from '../../../forms/src/project/index.js';
import type { BundleRecord } from '../bundles/registry.js';
import { authorisationOf, type AssistedRecord } from '../network/index.js';
import type { Application } from './types.js';

/** What the timeline and the acceptance entry show of an assisted service: who, how, where; no ID numbers. */
export function assistedSummary(a: AssistedRecord): Record<string, unknown> {
  return {
    mode: a.mode,
    agent: a.agent.name,
    relationship: a.agent.relationship,
    ...(a.agent.staffId ? { staffId: a.agent.staffId } : {}),
    ...(a.venue ? { venue: a.venue } : {}),
    authorisation: authorisationOf(a),
    recordedBy: a.recordedBy,
  };
}

/** The agent's ID number and phone are masked like the applicant's for every other reader. */
export function maskAgent(a: AssistedRecord): AssistedRecord {
  const agent = { ...a.agent, idNumber: maskText('id', a.agent.idNumber) };
  if (a.agent.phone) agent.phone = maskText('mobile', a.agent.phone);
  return { ...a, agent };
}

/** Clerks and supervisors see the whole form, with sensitive values masked. */
export function maskSensitive(app: Application, bundle: BundleRecord): Record<string, unknown> {
  const form = compileForm(bundle.definition);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(app.data)) {
    const field = form.fieldById.get(key);
    // Same masking as department payloads: nested values too, ID numbers typed by a sibling field.
    out[key] =
      field?.definition.sensitivity === 'sensitive'
        ? maskValue(value, field.schema, field.definition.idTypeField ? 'id' : undefined)
        : field
          ? maskValue(value, field.schema)
          : value;
  }
  return out;
}
