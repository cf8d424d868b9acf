import type { JSONSchema7 } from 'json-schema';
import { shippedFields } from './fields.js';
import type { FieldDefinition, Text } from './types.js';

export type { FieldDefinition, GovFormat, Sensitivity, Text, Topic } from './types.js';
export { idTypes } from './schemas.js';

/** A field library: lookup by id. Deployments may extend the shipped one with their own fields. */
export class FieldLibrary {
  private readonly byId = new Map<string, FieldDefinition>();

  constructor(fields: readonly FieldDefinition[]) {
    for (const f of fields) {
      if (!/^[a-z][A-Za-z0-9]*$/.test(f.id)) throw new Error(`field id "${f.id}" is not ASCII camelCase`);
      if (this.byId.has(f.id)) throw new Error(`field id "${f.id}" is defined twice`);
      this.byId.set(f.id, f);
    }
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  get(id: string): FieldDefinition {
    const f = this.byId.get(id);
    if (!f) throw new Error(`unknown field "${id}" (not in the field library)`);
    return f;
  }

  find(id: string): FieldDefinition | undefined {
    return this.byId.get(id);
  }

  list(): FieldDefinition[] {
    return [...this.byId.values()];
  }

  /** A new library with more fields (ids must not clash). */
  extend(fields: readonly FieldDefinition[]): FieldLibrary {
    return new FieldLibrary([...this.byId.values(), ...fields]);
  }

  /** The field's schema with title (zh) and description (zh help) for forms and generated types. */
  schemaOf(id: string): JSONSchema7 {
    const f = this.get(id);
    return { ...f.schema, title: f.label.zh, ...(f.help ? { description: f.help.zh } : {}) };
  }

  /** Label of a nested property: nested property names are library ids too (name, idNumber…). */
  labelOf(path: readonly string[]): Text {
    const parts = path
      .filter((p) => !/^\d+$/.test(p))
      .map((p) => this.byId.get(p)?.label ?? { zh: p, en: p });
    return { zh: parts.map((p) => p.zh).join('·'), en: parts.map((p) => p.en).join(' – ') };
  }
}

/** The shipped library (要素库) with the common fields of the example bundles. */
export const fieldLibrary = new FieldLibrary(shippedFields);
