import type { JSONSchema7 } from 'json-schema';
import type { BundleDefinition, SituationQuestion } from '../bundle/index.js';
import { conditionToSchema } from '../feel/to-schema.js';
import { idNumberRules } from '../library/schemas.js';
import { withoutAnnotations } from './constraints.js';
import type { FieldUsage, UnifiedField } from './fields.js';

/**
 * The unified form's JSON Schema (draft-07). It does not depend on the answers: the answers sit in
 * the data under `situation`, and conditional requirements are `if/then` over them, so one
 * compiled validator serves every application of a bundle version.
 */

/** The resident-ID rule applies to these document types (GB 11643 format and check). */
export const residentIdTypes = Object.entries(idNumberRules)
  .filter(([, rule]) => rule.format === 'resident-id')
  .map(([type]) => type);

function questionSchema(q: SituationQuestion): JSONSchema7 {
  const values = (q.options ?? []).map((o) => o.value);
  const title = q.label.zh;
  switch (q.type) {
    case 'choice':
      return { title, type: 'string', enum: values };
    case 'multiChoice':
      return { title, type: 'array', items: { type: 'string', enum: values }, uniqueItems: true };
    case 'boolean':
      return { title, type: 'boolean' };
    case 'number':
      return {
        title,
        type: 'number',
        ...(q.minimum !== undefined ? { minimum: q.minimum } : {}),
        ...(q.maximum !== undefined ? { maximum: q.maximum } : {}),
      };
  }
}

export function situationSchema(bundle: BundleDefinition): JSONSchema7 {
  return {
    title: '办事情形',
    type: 'object',
    properties: Object.fromEntries(bundle.questions.map((q) => [q.id, questionSchema(q)])),
    additionalProperties: false,
  };
}

/**
 * Schema over the answers that holds when one of the usages applies; `true` when one has no condition.
 * Conditions are cached by text: the same condition recurs across many fields.
 */
export function usagesSchema(usages: FieldUsage[], cache: Map<string, JSONSchema7>): JSONSchema7 | true {
  if (usages.some((u) => u.conditions.length === 0)) return true;
  const one = (c: string) => cache.get(c) ?? cache.set(c, conditionToSchema(c)).get(c)!;
  const alternatives = usages.map((u) =>
    u.conditions.length === 1 ? one(u.conditions[0]!) : { allOf: u.conditions.map(one) },
  );
  const unique = [...new Map(alternatives.map((a) => [JSON.stringify(a), a])).values()];
  return unique.length === 1 ? unique[0]! : { anyOf: unique };
}

const onSituation = (answers: JSONSchema7): JSONSchema7 => ({
  required: ['situation'],
  properties: { situation: answers },
});

export function formSchema(
  bundle: BundleDefinition,
  fields: UnifiedField[],
  cache: Map<string, JSONSchema7>,
): JSONSchema7 {
  const properties: Record<string, JSONSchema7> = { situation: situationSchema(bundle) };
  const required = ['situation'];
  const conditional = new Map<string, { when: JSONSchema7; fields: string[] }>();
  const constrained = new Map<string, { when: JSONSchema7; properties: Record<string, JSONSchema7> }>();
  for (const f of fields) {
    const { label, help } = f.definition;
    properties[f.id] = { ...f.schema, title: label.zh, ...(help ? { description: help.zh } : {}) };
    // An item's constraints hold only when that item uses the field; fields under one condition share a branch.
    for (const c of f.conditionalConstraints) {
      const when = usagesSchema([c.usage], cache) as JSONSchema7;
      const key = JSON.stringify(when);
      const group = constrained.get(key) ?? constrained.set(key, { when, properties: {} }).get(key)!;
      const prev = group.properties[f.id];
      group.properties[f.id] = prev ? { allOf: [prev, c.schema] } : c.schema;
    }
    const requiring = f.usages.filter((u) => u.required);
    if (requiring.length === 0) continue;
    const when = usagesSchema(requiring, cache);
    if (when === true) required.push(f.id);
    else {
      // Fields required under the same condition share one if/then: fewer branches for ajv.
      const key = JSON.stringify(when);
      const group = conditional.get(key) ?? conditional.set(key, { when, fields: [] }).get(key)!;
      group.fields.push(f.id);
    }
  }
  const allOf: JSONSchema7[] = [
    ...[...conditional.values()].map((g) => ({ if: onSituation(g.when), then: { required: g.fields } })),
    ...[...constrained.values()].map((g) => ({
      if: onSituation(g.when),
      then: { properties: g.properties },
    })),
  ];
  // ID numbers are checked by the rule of the document type given. A pattern of a type is checked on
  // a number the field's own (looser) rule accepts: "-" gets one message, not one per rule.
  for (const f of fields) {
    const typeField = f.definition.idTypeField;
    if (!typeField || !properties[typeField]) continue;
    for (const [type, rule] of Object.entries(idNumberRules))
      allOf.push({
        if: { required: [typeField], properties: { [typeField]: { const: type } } },
        then: {
          properties: { [f.id]: rule.format ? rule : { if: withoutAnnotations(f.schema), then: rule } },
        },
      });
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: bundle.name.zh,
    description: bundle.name.en,
    type: 'object',
    properties,
    required,
    ...(allOf.length ? { allOf } : {}),
    additionalProperties: false,
  };
}
