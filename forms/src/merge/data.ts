import { conditionsFor, type Answers } from '../feel/condition.js';
import { fieldApplies } from './fields.js';
import { normaliseIdNumbers } from '../validate/normalise.js';
import type { UnifiedForm } from './merge.js';

/** The unified data of one application: the situation answers and one value per field. */
export type UnifiedData = { situation?: Answers } & Record<string, unknown>;

/**
 * Removes values of fields that do not apply to the current answers (GOV-SERVICES 2.6: a changed
 * answer drops data that no longer applies). Returns the ids dropped so the UI can warn.
 * Uses feelin on the same FEEL as the merge; unknown keys are dropped too.
 */
export function dropHiddenValues(
  form: UnifiedForm,
  data: UnifiedData,
): { data: UnifiedData; dropped: string[] } {
  const answers = data.situation ?? {};
  const check = conditionsFor(answers);
  const out: UnifiedData = { situation: answers };
  const dropped: string[] = [];
  for (const [key, value] of Object.entries(data)) {
    if (key === 'situation') continue;
    const field = form.fieldById.get(key);
    if (field && fieldApplies(field, check)) out[key] = value;
    else dropped.push(key);
  }
  // ID numbers as the card prints them (…X), whatever case the check character was typed in.
  return { data: normaliseIdNumbers(form, out), dropped };
}

/** Start data for the form: the answers, and fields that share a question's id pre-filled from it. */
export function initialData(form: UnifiedForm, answers: Answers): UnifiedData {
  const data: UnifiedData = { situation: { ...answers } };
  for (const [id, value] of Object.entries(answers))
    if (form.fieldById.has(id) && value !== undefined) data[id] = value;
  return data;
}
