import type { JSONSchema7 } from 'json-schema';
import type { BundleDefinition } from '../bundle/index.js';
import type { ConditionCheck } from '../feel/condition.js';
import type { FieldDefinition, FieldLibrary } from '../library/index.js';
import { combineConstraints } from './constraints.js';

/** One field of the unified form: the library definition, combined constraints and who uses it. */
export interface UnifiedField {
  id: string;
  definition: FieldDefinition;
  /** Library schema with every item's constraints combined (stricter wins). */
  schema: JSONSchema7;
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

/** Every field any item of the bundle declares, once, in first-use order. */
export function unifyFields(bundle: BundleDefinition, library: FieldLibrary): UnifiedField[] {
  const usages = new Map<string, FieldUsage[]>();
  const constraints = new Map<string, { source: string; schema: JSONSchema7 }[]>();
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
          { source: item.code, schema: ref.constraints },
        ]);
    }
  }
  return [...usages].map(([id, us]) => {
    const definition = library.get(id);
    const schema = combineConstraints(id, [
      { source: 'field library', schema: definition.schema },
      ...(constraints.get(id) ?? []),
    ]);
    return { id, definition, schema, usages: us };
  });
}

/** `check` is conditionsFor(answers): each distinct condition evaluated once per applicant. */
export const usageApplies = (u: FieldUsage, check: ConditionCheck): boolean => u.conditions.every(check);

export const fieldApplies = (f: UnifiedField, check: ConditionCheck): boolean =>
  f.usages.some((u) => usageApplies(u, check));

export const fieldRequired = (f: UnifiedField, check: ConditionCheck): boolean =>
  f.usages.some((u) => u.required && usageApplies(u, check));
