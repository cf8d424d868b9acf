import type { JSONSchema7 } from 'json-schema';
import type { BundleDefinition, ItemDefinition } from '../bundle/index.js';
import { conditionsFor, type Answers } from '../feel/condition.js';
import { fieldLibrary, type FieldLibrary, type Text } from '../library/index.js';
import { fieldApplies, fieldRequired, unifyFields, usageApplies, type UnifiedField } from './fields.js';
import { mergeMaterials, type MergedMaterial } from './materials.js';
import { noItemProblem, type MergeProblem } from './no-items.js';
import { refusalProblems } from './refusals.js';
import { formSchema } from './schema.js';
import { formUiSchema, type Translations, type UiSchema } from './uischema.js';

/** The answer-independent unified form of a bundle version: compile once (deploy), reuse per application. */
export interface UnifiedForm {
  bundle: BundleDefinition;
  library: FieldLibrary;
  schema: JSONSchema7;
  uischema: UiSchema;
  i18n: Translations;
  fields: UnifiedField[];
  fieldById: ReadonlyMap<string, UnifiedField>;
}

/** A field as it applies to one applicant's answers. */
export interface AppliedField {
  id: string;
  label: Text;
  required: boolean;
  items: string[];
}

export interface MergeResult {
  form: UnifiedForm;
  schema: JSONSchema7;
  uischema: UiSchema;
  /** Items in this application (their conditions hold for the answers). */
  items: ItemDefinition[];
  fields: AppliedField[];
  materials: MergedMaterial[];
  /** Why this answer set cannot become an application (refused, or no item applies); empty when it can. */
  problems: MergeProblem[];
}

const compiled = new WeakMap<BundleDefinition, UnifiedForm>();

/** Throws MergeConflictError naming both items when their constraints on a field contradict. */
export function compileForm(bundle: BundleDefinition, library: FieldLibrary = fieldLibrary): UnifiedForm {
  const hit = compiled.get(bundle);
  if (hit && hit.library === library) return hit;
  const fields = unifyFields(bundle, library);
  const cache = new Map<string, JSONSchema7>();
  const { uischema, i18n } = formUiSchema(bundle, fields, cache, library);
  const form: UnifiedForm = {
    bundle,
    library,
    schema: formSchema(bundle, fields, cache),
    uischema,
    i18n,
    fields,
    fieldById: new Map(fields.map((f) => [f.id, f])),
  };
  compiled.set(bundle, form);
  return form;
}

/** Items whose FEEL condition holds for the answers. */
export function activeItems(bundle: BundleDefinition, answers: Answers): ItemDefinition[] {
  const check = conditionsFor(answers);
  return bundle.items.filter((i) => check(i.condition));
}

/** Bundle + situation answers → one form, the fields that apply, one de-duplicated set of materials. */
export function mergeBundle(
  bundle: BundleDefinition,
  answers: Answers,
  library: FieldLibrary = fieldLibrary,
): MergeResult {
  const form = compileForm(bundle, library);
  const check = conditionsFor(answers);
  const items = bundle.items.filter((i) => check(i.condition));
  const fields = form.fields
    .filter((f) => fieldApplies(f, check))
    .map((f) => ({
      id: f.id,
      label: f.definition.label,
      required: fieldRequired(f, check),
      items: f.usages.filter((u) => usageApplies(u, check)).map((u) => u.item),
    }));
  const materials = mergeMaterials(bundle, check, new Set(items.map((i) => i.code)));
  const noItems = noItemProblem(bundle, answers, items.length);
  return {
    form,
    schema: form.schema,
    uischema: form.uischema,
    items,
    fields,
    materials,
    problems: [...refusalProblems(bundle, answers, check), ...(noItems ? [noItems] : [])],
  };
}
