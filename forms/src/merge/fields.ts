import type { JSONSchema7 } from 'json-schema';
import type { BundleDefinition } from '../bundle/index.js';
import type { ConditionCheck } from '../feel/condition.js';
import type { FieldDefinition, FieldLibrary } from '../library/index.js';
import { combineConstraints, withoutAnnotations } from './constraints.js';

/** One field of the unified form: the library definition, combined constraints and who uses it. */
export interface UnifiedField {
  id: string;
  definition: FieldDefinition;
  /**
   * Library schema with the constraints of the items that always use the field combined (stricter
   * wins). Items used only in some situations add theirs in `conditionalConstraints`.
   */
  schema: JSONSchema7;
  /** Constraints of a use with conditions: they hold only when that use applies (the form's if/then). */
  conditionalConstraints: { usage: FieldUsage; schema: JSONSchema7 }[];
  usages: FieldUsage[];
}

/** One item's use of a field. The field applies for this item when every condition holds. */
export interface FieldUsage {
  item: string;
  department: string;
  required: boolean;
  needsFull: boolean;
  /** FEEL conditions over situation answers (item condition, then field condition). */
  conditions: string[];
}

interface Constrained {
  usage: FieldUsage;
  schema: JSONSchema7;
}

/** Every field any item of the bundle declares, once, in first-use order. */
export function unifyFields(bundle: BundleDefinition, library: FieldLibrary): UnifiedField[] {
  const usages = new Map<string, FieldUsage[]>();
  const constraints = new Map<string, Constrained[]>();
  for (const item of bundle.items) {
    for (const ref of item.fields) {
      const conditions = [item.condition, ref.condition].filter((c): c is string => c !== undefined);
      const usage = {
        item: item.code,
        department: item.department,
        required: ref.required === true,
        needsFull: ref.needsFull === true,
        conditions,
      };
      usages.set(ref.field, [...(usages.get(ref.field) ?? []), usage]);
      if (ref.constraints)
        constraints.set(ref.field, [
          ...(constraints.get(ref.field) ?? []),
          { usage, schema: ref.constraints },
        ]);
    }
  }
  return [...usages].map(([id, us]) => {
    const definition = library.get(id);
    const base = { source: 'field library', schema: definition.schema };
    const all = constraints.get(id) ?? [];
    const source = (c: Constrained) => ({ source: c.usage.item, schema: c.schema });
    // Every item's constraints must agree with every other's, whether or not they apply together:
    // a contradiction is found at deploy time, not by the applicant whose answers bring both items.
    combineConstraints(id, [base, ...all.map(source)]);
    const always = all.filter((c) => c.usage.conditions.length === 0);
    const schema = combineConstraints(id, [base, ...always.map(source)]);
    const conditionalConstraints = all
      .filter((c) => c.usage.conditions.length > 0)
      .map((c) => ({ usage: c.usage, schema: withoutAnnotations(c.schema) }))
      .filter((c) => Object.keys(c.schema).length > 0);
    return { id, definition, schema, conditionalConstraints, usages: us };
  });
}

/** `check` is conditionsFor(answers): each distinct condition evaluated once per applicant. */
export const usageApplies = (u: FieldUsage, check: ConditionCheck): boolean => u.conditions.every(check);

export const fieldApplies = (f: UnifiedField, check: ConditionCheck): boolean =>
  f.usages.some((u) => usageApplies(u, check));

export const fieldRequired = (f: UnifiedField, check: ConditionCheck): boolean =>
  f.usages.some((u) => u.required && usageApplies(u, check));
