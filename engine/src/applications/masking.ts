/**
 * What a reader other than the applicant sees of a case's personal data: sensitive form values
 * and an agent's ID number and phone masked, an assisted service summarised without ID numbers.
 */
import { compileForm, type UnifiedForm } from '../../../forms/src/merge/index.js';
import {
  maskSensitiveValue,
  maskText,
  maskValue,
  type MaskedField,
} from '../../../forms/src/project/index.js';
import type { Actor } from '../domain/actor.js';
import type { BundleRecord } from '../bundles/registry.js';
import { authorisationOf, type AssistedRecord } from '../network/index.js';
import { scrubText } from '../security/scrub.js';
import type { BundleDefinition } from '../../../forms/src/bundle/index.js';
import type { OutputValue } from '../bundles/outputs.js';
import type { Application, ItemCase, MaterialEntry, TimelineEntry } from './types.js';

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
        ? maskSensitiveValue(value, field)
        : field
          ? maskValue(value, field.schema)
          : value;
  }
  return out;
}

/** An item's result value as a reader sees it. */
export type OutputMask = (item: string, key: string, value: string) => string;

/**
 * How the window and supervisors see item results: an output declared sensitive (a child's birth
 * certificate number) is masked as the same value in a sensitive field would be; the rest as given.
 */
export function outputMask(definition: BundleDefinition): OutputMask {
  const sensitive = new Map<string, MaskedField>();
  for (const item of definition.items)
    for (const o of item.outputs ?? [])
      if (o.sensitivity === 'sensitive')
        sensitive.set(`${item.code}/${o.key}`, {
          schema: { type: 'string', ...(o.format ? { format: o.format } : {}) },
          definition: {},
        });
  return (item, key, value) => {
    const declared = sensitive.get(`${item}/${key}`);
    return declared ? String(maskSensitiveValue(value, declared)) : value;
  };
}

const maskedValues = (item: string, outputs: OutputValue[], mask: OutputMask): OutputValue[] =>
  outputs.map((o) => ({ ...o, value: mask(item, o.key, o.value) }));

/** The case's items with their results as `mask` shows them. */
export function maskItemOutputs(items: ItemCase[], mask: OutputMask): ItemCase[] {
  return items.map((i) => (i.outputs ? { ...i, outputs: maskedValues(i.item, i.outputs, mask) } : i));
}

/** A timeline entry's results as `mask` shows them: an approval's outputs, a delivery's results. */
export function maskEntryOutputs(entry: TimelineEntry, mask: OutputMask): TimelineEntry {
  const { item, outputs, results } = entry.data ?? {};
  if (typeof item === 'string' && Array.isArray(outputs)) {
    return { ...entry, data: { ...entry.data, outputs: maskedValues(item, outputs as OutputValue[], mask) } };
  }
  if (Array.isArray(results)) {
    const shown = (results as { item: string; outputs?: OutputValue[] }[]).map((r) =>
      r.outputs ? { ...r, outputs: maskedValues(r.item, r.outputs, mask) } : r,
    );
    return { ...entry, data: { ...entry.data, results: shown } };
  }
  return entry;
}

/**
 * The form as if the bundle held only these items: a payload projected from it carries their
 * fields only, unmasked only where one of them needs the value in full (a department office sees
 * the items it decides, not its colleagues' elsewhere).
 */
export function formForItems(form: UnifiedForm, items: ReadonlySet<string>): UnifiedForm {
  return {
    ...form,
    bundle: { ...form.bundle, items: form.bundle.items.filter((i) => items.has(i.code)) },
    fields: form.fields.map((f) => ({ ...f, usages: f.usages.filter((u) => items.has(u.item)) })),
  };
}

/** Uploaded file names often carry an ID number or a phone: masked for every reader but the applicant. */
export function maskFileNames(materials: MaterialEntry[]): MaterialEntry[] {
  return materials.map((m) => (m.file ? { ...m, file: { ...m.file, name: scrubText(m.file.name) } } : m));
}

/**
 * The delivery entry's results as a reader sees them: only the items in `shown` (a department's
 * own; every item for the window and supervisors), rejection reasons with personal numbers masked.
 */
export function maskDeliveryResults(entry: TimelineEntry, shown: (item: string) => boolean): TimelineEntry {
  const results = entry.data?.results;
  if (!Array.isArray(results)) return entry;
  const visible = (results as { item: string; reason?: string }[])
    .filter((r) => shown(r.item))
    .map((r) => (r.reason ? { ...r, reason: scrubText(r.reason) } : r));
  return { ...entry, data: { ...entry.data, results: visible } };
}

/** Steps the applicant does not see: staff work on the case (a department's request waits for the window's notice). */
const STAFF_STEPS = new Set(['task.claimed', 'supplement.requested', 'postCheck.recorded']);
/** Timeline details that are staff's own: internal review comments (审查意见), who recorded an assisted service. */
const STAFF_DETAILS = ['comment', 'recordedBy'] as const;

/**
 * What the applicant (or their agent) sees of their case: their own data unmasked, notices,
 * decisions, reasons, results and evaluations; not internal comments, department requests the
 * window has not yet sent in a notice, post-check dates or staff user ids. The agent's ID number
 * and phone are masked unless the reader is the agent. Staff-only fields are left out, so the
 * record's required `by` fields may be absent (the view is sent as JSON, never saved).
 */
export function applicantView(actor: Actor, app: Application): Application {
  const isAgent = !!app.assisted?.agent.userId && app.assisted.agent.userId === actor.userId;
  const view = {
    ...omit(app, 'owner'),
    items: app.items.map((i) => omit(i, 'claimedBy', 'decidedBy', 'postCheck')),
    materials: app.materials.map((m) => (m.file ? { ...m, file: omit(m.file, 'uploadedBy') } : m)),
    requests: app.requests.filter((r) => r.noticeId !== undefined).map((r) => omit(r, 'by', 'withdrawnBy')),
    notices: app.notices.map((n) => omit(n, 'issuedBy')),
    evaluations: app.evaluations.map((e) => omit(e, 'by')),
    timeline: app.timeline.filter((e) => !STAFF_STEPS.has(e.type)).map(applicantEntry),
    ...(app.delivery ? { delivery: omit(app.delivery, 'by') } : {}),
    ...(app.deliveries ? { deliveries: app.deliveries.map((d) => omit(d, 'by')) } : {}),
    ...(app.assisted
      ? { assisted: omit(isAgent ? app.assisted : maskAgent(app.assisted), 'recordedBy') }
      : {}),
  };
  return view as Application;
}

/** A timeline entry without staff user ids (the role and department stay) and staff details. */
function applicantEntry(entry: TimelineEntry): TimelineEntry {
  const by = entry.by.role === 'applicant' ? entry.by : omit(entry.by, 'userId');
  const data = entry.data && omit(entry.data, ...STAFF_DETAILS);
  return { ...entry, by: by as TimelineEntry['by'], ...(data ? { data } : {}) };
}

function omit<T extends object, K extends keyof T>(value: T, ...keys: K[]): Omit<T, K> {
  const out = { ...value };
  for (const key of keys) delete out[key];
  return out;
}
