/**
 * Form fields a department's supplement notice asks to correct, at the window: the unified form
 * cut down to those fields, filled with what the case has, and the values to send back. Pure, so
 * what goes to the server is tested.
 */
import type { MergeResult } from '../../../forms/src/merge/index.js';

interface NoticeLike {
  entries: { fieldId?: string; materialId?: string }[];
}

/**
 * The form fields a notice names, each once, in the notice's order: a part of a field
 * (`financeOfficer.mobile`, `investors[0].name`) is corrected as the whole field, as the server takes it.
 */
export function noticeFields(notice: NoticeLike | undefined): string[] {
  const named = (notice?.entries ?? []).flatMap((e) => (e.fieldId ? [e.fieldId.split(/[.[]/)[0]!] : []));
  return [...new Set(named)];
}

/**
 * Whether a notice has entries naming neither a field nor a material (the department's 其他):
 * the applicant answers them at the window, so a supplement with nothing in it answers them.
 */
export function hasFreeTextEntries(notice: NoticeLike | undefined): boolean {
  return (notice?.entries ?? []).some((e) => !e.fieldId && !e.materialId);
}

export interface CorrectionForm {
  schema: { type: 'object'; properties: Record<string, unknown>; required: string[] };
  uischema: { type: 'VerticalLayout'; elements: object[] };
  /** The case's values of these fields; sensitive ones start empty (the window sees them masked). */
  data: Record<string, unknown>;
}

/**
 * The unified form's controls of `fields` (those the form has), shown whatever the situation
 * answers: the notice asked for them. Their validation rules over other fields stay the server's.
 */
export function correctionForm(
  form: MergeResult,
  fields: readonly string[],
  caseData: Record<string, unknown>,
): CorrectionForm {
  const all = (form.schema.properties ?? {}) as Record<string, unknown>;
  const ids = fields.filter((id) => id in all && id !== 'situation');
  const controls = new Map(
    form.uischema.elements.flatMap((group) =>
      group.elements.map(({ rule: _shownWhen, ...control }) => [control.scope, control] as const),
    ),
  );
  const sensitive = new Set(
    form.form.fields.filter((f) => f.definition.sensitivity === 'sensitive').map((f) => f.id),
  );
  return {
    schema: {
      type: 'object',
      properties: Object.fromEntries(ids.map((id) => [id, all[id]])),
      required: ids.filter((id) => (form.schema.required ?? []).includes(id)),
    },
    uischema: {
      type: 'VerticalLayout',
      elements: ids.flatMap((id) => controls.get(`#/properties/${id}`) ?? []),
    },
    data: Object.fromEntries(
      ids.filter((id) => !sensitive.has(id) && caseData[id] !== undefined).map((id) => [id, caseData[id]]),
    ),
  };
}

/** What the supplement sends as `data`: the named fields only, those given a value. */
export function correctedData(fields: readonly string[], onScreen: unknown): Record<string, unknown> {
  const values = (onScreen ?? {}) as Record<string, unknown>;
  return Object.fromEntries(
    fields.filter((id) => values[id] !== undefined && values[id] !== '').map((id) => [id, values[id]]),
  );
}

/**
 * What the window's supplement sends: the corrected fields that have a value and the materials
 * recorded, each only when there is one. Undefined when there is nothing to send, unless the
 * notice's free-text entries are what the clerk confirms the applicant answered.
 */
export function supplementBody<M>(
  data: Record<string, unknown>,
  materials: readonly M[],
  freeTextAnswered: boolean,
): { data?: Record<string, unknown>; materials?: M[] } | undefined {
  const hasData = Object.keys(data).length > 0;
  if (!hasData && !materials.length && !freeTextAnswered) return undefined;
  return { ...(hasData ? { data } : {}), ...(materials.length ? { materials: [...materials] } : {}) };
}
