/**
 * A case's unified form: the items, materials and fields its situation answers select (as
 * forms/src/merge merged them), and the check that the filled-in form is valid.
 */
import { compileForm, type MergeResult } from '../../../forms/src/merge/index.js';
import { normaliseIdNumbers, validateForm } from '../../../forms/src/validate/index.js';
import type { BundleRecord } from '../bundles/registry.js';
import { t, DomainError } from '../domain/errors.js';
import type { Application, MaterialEntry } from './types.js';

/** No item applies to the answers: nothing to apply for or accept (forms/src/merge says why). */
export function requireItems(merged: MergeResult): void {
  const [problem] = merged.problems;
  if (problem) {
    throw new DomainError('invalid', problem.message, [{ field: problem.field, message: problem.message }]);
  }
}

/** Answers decide the items, materials and fields; data that no longer applies is dropped. */
export function applyMerge(
  app: Application,
  merged: MergeResult,
  answers: Record<string, unknown>,
  data: Record<string, unknown>,
): string[] {
  requireItems(merged);
  const kept: Record<string, unknown> = {};
  const dropped: string[] = [];
  const applies = new Set(merged.fields.map((f) => f.id));
  for (const [key, value] of Object.entries(data ?? {})) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
    if (applies.has(key)) kept[key] = value;
    else dropped.push(key);
  }
  app.answers = { ...answers };
  // ID numbers stored as the card prints them (…X): departments and e-licences get them so.
  app.data = normaliseIdNumbers(merged.form, kept);
  app.items = merged.items.map((item) => {
    const existing = app.items.find((i) => i.item === item.code);
    return (
      existing ?? {
        item: item.code,
        name: item.name,
        department: item.department,
        status: 'reviewing',
        limitDays: item.promisedDays,
      }
    );
  });
  app.departments = [...new Set(app.items.map((i) => i.department))];
  app.materials = merged.materials.map((m) => {
    const existing = app.materials.find((e) => e.id === m.id);
    const entry: MaterialEntry = {
      id: m.id,
      name: m.name,
      required: m.required,
      items: [...m.items],
      // Shared data, forms generated from the unified form and outputs of earlier items are never asked for.
      status:
        existing?.status ??
        (m.source === 'shared' || m.source === 'generated' || m.source === 'output'
          ? 'notRequired'
          : 'missing'),
      ...(existing?.licenceId ? { licenceId: existing.licenceId } : {}),
      ...(existing?.uploadSha256 ? { uploadSha256: existing.uploadSha256 } : {}),
      ...(existing?.file ? { file: existing.file } : {}),
      ...(existing?.deferral ? { deferral: existing.deferral } : {}),
      ...(existing?.commitmentId ? { commitmentId: existing.commitmentId } : {}),
      deferrable: m.deferrable,
      commitment: m.commitment,
      ...(m.eLicenceType ? { eLicenceType: m.eLicenceType } : {}),
    };
    return entry;
  });
  return dropped;
}

/** Every field the answers select must be filled in validly before the case goes further. */
export function checkForm(app: Application, bundle: BundleRecord): void {
  const result = validateForm(compileForm(bundle.definition), { situation: app.answers, ...app.data });
  if (!result.valid) {
    throw new DomainError(
      'invalid',
      t(
        `表单有 ${result.errors.length} 处需要更正`,
        `the form has ${result.errors.length} problem(s) to correct`,
      ),
      result.errors.map((e) => ({ field: `data.${e.field}`, label: e.label, message: e.message })),
    );
  }
}
