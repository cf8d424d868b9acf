import { conditionsFor } from '../feel/condition.js';
import { usageApplies, type UnifiedForm, type UnifiedData } from '../merge/index.js';
import { normaliseIdNumbers } from '../validate/normalise.js';
import { maskSensitiveValue } from './mask.js';

/**
 * Unified data → each department's payload (minimum necessary, GOV-SERVICES 2.7/2.20): only the
 * fields its items declare and that apply to the answers, sensitive values masked unless one of
 * its items declares it needs them in full, plus the situation answers its items ask for.
 */

export interface DepartmentPayload {
  department: string;
  items: string[];
  data: Record<string, unknown>;
  situation: Record<string, unknown>;
}

export function projectPayloads(form: UnifiedForm, data: UnifiedData): Record<string, DepartmentPayload> {
  return project(form, data, undefined);
}

/**
 * One department's payload, as `projectPayloads(form, data)[department]` gives it, without
 * evaluating the other departments' conditions or masking their values (a department opening
 * one task asks for this).
 */
export function projectPayload(
  form: UnifiedForm,
  data: UnifiedData,
  department: string,
): DepartmentPayload | undefined {
  return project(form, data, department)[department];
}

/** Every department's payload, or only the department `only` names. */
function project(
  form: UnifiedForm,
  unified: UnifiedData,
  only: string | undefined,
): Record<string, DepartmentPayload> {
  const data = normaliseIdNumbers(form, unified); // departments get `…002X`, as the card prints it
  const answers = data.situation ?? {};
  const check = conditionsFor(answers);
  const out: Record<string, DepartmentPayload> = {};
  const full = new Map<string, Set<string>>(); // department → fields it may see unmasked
  for (const item of form.bundle.items) {
    if ((only !== undefined && item.department !== only) || !check(item.condition)) continue;
    const p = (out[item.department] ??= { department: item.department, items: [], data: {}, situation: {} });
    p.items.push(item.code);
    for (const q of item.answers ?? []) if (answers[q] !== undefined) p.situation[q] = answers[q];
    if (!full.has(item.department)) full.set(item.department, new Set());
  }
  // A usage's conditions start with its item's condition: when it applies, the item is active.
  for (const f of form.fields) {
    if (data[f.id] === undefined) continue;
    for (const u of f.usages) {
      if ((only !== undefined && u.department !== only) || !usageApplies(u, check)) continue;
      out[u.department]!.data[f.id] = data[f.id];
      if (u.needsFull) full.get(u.department)!.add(f.id);
    }
  }
  for (const p of Object.values(out)) {
    const unmasked = full.get(p.department)!;
    for (const [id, value] of Object.entries(p.data)) {
      const field = form.fieldById.get(id)!;
      if (field.definition.sensitivity !== 'sensitive' || unmasked.has(id)) continue;
      p.data[id] = maskSensitiveValue(value, field);
    }
  }
  return out;
}
