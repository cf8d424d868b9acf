/**
 * A case's unified form: the items, materials and fields its situation answers select (as
 * forms/src/merge merged them), and the check that the filled-in form is valid.
 */
import type { BundleDefinition } from '../../../forms/src/bundle/index.js';
import { compileForm, mergeBundle, type MergeResult } from '../../../forms/src/merge/index.js';
import {
  normaliseIdNumbers,
  validateForm,
  type ValidationResult,
} from '../../../forms/src/validate/index.js';
import { bundlePatterns, patternRuns, type BundlePattern, type BundleRecord } from '../bundles/registry.js';
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
  const result = validateCase(app, bundle);
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

/**
 * The case's data checked against its version's form. A version deployed before bundle patterns
 * ran on the linear-time engine may hold one the server cannot run (lookaround, a back-reference),
 * and its form then does not compile. Not the applicant's mistake, nor a server fault: where such
 * a rule applies to the case (its item and field apply, and a value is given), a 422 naming the
 * field and who can fix it; elsewhere the case is checked by every other rule, exactly. The
 * start-up log names these patterns to the operator (warnOfPatternsToRedeploy).
 */
function validateCase(app: Application, bundle: BundleRecord): ValidationResult {
  const data = { situation: app.answers, ...app.data };
  const definition = bundle.definition;
  try {
    return validateForm(compileForm(definition), data);
  } catch (err) {
    const unrunnable = bundlePatterns(definition).filter((p) => p.field && !patternRuns(p.pattern));
    if (!unrunnable.length) throw err;
    const applied = mergeBundle(definition, app.answers).fields;
    const applying = unrunnable.filter(
      (p) =>
        typeof app.data[p.field!] === 'string' &&
        applied.some((f) => f.id === p.field && f.items.includes(p.item)),
    );
    if (applying.length) throw uncheckableRules(bundle, [...new Set(applying.map((p) => p.field!))]);
    return validateForm(compileForm(withoutPatterns(definition, unrunnable)), data);
  }
}

/** Definitions with their unrunnable patterns left out, one per definition (forms compile once). */
const runnable = new WeakMap<BundleDefinition, BundleDefinition>();

function withoutPatterns(definition: BundleDefinition, patterns: BundlePattern[]): BundleDefinition {
  const known = runnable.get(definition);
  if (known) return known;
  const left = structuredClone(definition);
  for (const p of patterns) {
    const field = left.items.find((i) => i.code === p.item)?.fields.find((f) => f.field === p.field);
    if (field?.constraints?.pattern === p.pattern) delete field.constraints.pattern;
  }
  runnable.set(definition, left);
  return left;
}

function uncheckableRules(bundle: BundleRecord, fields: string[]): DomainError {
  const version = t(
    `事项包 ${bundle.code} 第${bundle.version}版`,
    `bundle ${bundle.code} version ${bundle.version}`,
  );
  const form = compileForm(bundle.definition);
  return new DomainError(
    'invalid',
    t(
      `${version.zh}中有填写规则已无法校验，申请暂不能继续：请联系配置员修改后重新部署事项包，再在新版本上重新申请`,
      `${version.en} has a rule that can no longer be checked, so the application cannot go further: ask the analyst to redeploy the bundle, then start the application again on the new version`,
    ),
    fields.map((field) => {
      const label = form.library.labelOf([field]);
      return {
        field: `data.${field}`,
        label,
        message: t(
          `${label.zh}：事项包对该字段的规则已无法校验，请联系配置员重新部署事项包`,
          `${label.en}: the bundle's rule for this field can no longer be checked; ask the analyst to redeploy the bundle`,
        ),
      };
    }),
  );
}
