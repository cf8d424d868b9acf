import type { JSONSchema7 } from 'json-schema';
import type { BundleDefinition } from '../bundle/index.js';
import type { FieldDefinition, FieldLibrary, Text, Topic } from '../library/index.js';
import type { UnifiedField } from './fields.js';
import { usagesSchema } from './schema.js';
import { situationSection, topics } from './topics.js';

/**
 * The JSON Forms UI schema: the questionnaire first, then one group per topic. A field that
 * applies only in some situations gets a SHOW rule over `situation`, so the form reacts as the
 * applicant changes an answer; dropHiddenValues() then clears what the rule hid.
 */

export interface ControlElement {
  type: 'Control';
  scope: string;
  label: string;
  i18n: string;
  rule?: { effect: 'SHOW'; condition: { scope: string; schema: JSONSchema7 } };
}

export interface GroupElement {
  type: 'Group';
  label: string;
  i18n: string;
  elements: ControlElement[];
}

export interface UiSchema {
  type: 'VerticalLayout';
  elements: GroupElement[];
}

/** zh and en texts by i18n key, for the JSON Forms translator (`<key>.label`, `<key>.<code>`). */
export type Translations = { zh: Record<string, string>; en: Record<string, string> };

/**
 * The labels of a field's codes by the key JSON Forms asks for a choice (`<i18n key>.<code>`):
 * `babyGender.1`, and inside groups `investors.contributionMethod.cash` (row numbers left out, as
 * JSON Forms does). A nested property takes the code labels of the library field of its name.
 */
export function codeTexts(field: UnifiedField, library: FieldLibrary): Record<string, Text> {
  const out: Record<string, Text> = {};
  const visit = (schema: JSONSchema7, key: string, labels: FieldDefinition['codes']) => {
    const items = typeof schema.items === 'object' && !Array.isArray(schema.items) ? schema.items : {};
    for (const code of schema.enum ?? items.enum ?? []) {
      const text = labels?.[String(code)];
      if (text) out[`${key}.${String(code)}`] = text;
    }
    for (const [name, sub] of Object.entries(schema.properties ?? items.properties ?? {}))
      if (typeof sub === 'object') visit(sub, `${key}.${name}`, library.find(name)?.codes);
  };
  visit(field.schema, field.id, field.definition.codes);
  return out;
}

export function formUiSchema(
  bundle: BundleDefinition,
  fields: UnifiedField[],
  cache: Map<string, JSONSchema7>,
  library: FieldLibrary,
) {
  const i18n: Translations = { zh: {}, en: {} };
  const put = (key: string, text: Text) => {
    i18n.zh[key] = text.zh;
    i18n.en[key] = text.en;
  };
  const say = (key: string, text: Text) => {
    put(`${key}.label`, text);
    return { label: text.zh, i18n: key };
  };

  const questions: GroupElement = {
    type: 'Group',
    ...say('section.situation', situationSection),
    elements: bundle.questions.map((q) => ({
      type: 'Control',
      scope: `#/properties/situation/properties/${q.id}`,
      ...say(`situation.${q.id}`, q.label),
    })),
  };

  const byTopic = new Map<Topic, ControlElement[]>();
  for (const f of fields) {
    const when = usagesSchema(f.usages, cache);
    const control: ControlElement = {
      type: 'Control',
      scope: `#/properties/${f.id}`,
      ...say(f.id, f.definition.label),
      ...(when === true
        ? {}
        : { rule: { effect: 'SHOW', condition: { scope: '#/properties/situation', schema: when } } }),
    };
    byTopic.set(f.definition.topic, [...(byTopic.get(f.definition.topic) ?? []), control]);
    for (const [key, text] of Object.entries(codeTexts(f, library))) put(key, text);
  }
  const groups = (Object.keys(topics) as Topic[])
    .filter((t) => byTopic.has(t))
    .map((t): GroupElement => ({
      type: 'Group',
      ...say(`section.${t}`, topics[t]),
      elements: byTopic.get(t)!,
    }));

  const uischema: UiSchema = { type: 'VerticalLayout', elements: [questions, ...groups] };
  return { uischema, i18n };
}
