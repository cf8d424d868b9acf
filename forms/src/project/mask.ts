import type { JSONSchema7 } from 'json-schema';

/**
 * Masking conventions (GOV-SERVICES 2.20): ID first 3 + last 4, mobile 3 + **** + 4,
 * bank account last 4. Which rule applies comes from the value's format in the schema, so
 * nested values (a finance officer's ID number) are masked as well.
 */

export type MaskKind = 'id' | 'mobile' | 'bank';

const kindByFormat: Record<string, MaskKind> = {
  'resident-id': 'id',
  'mobile-cn': 'mobile',
  'bank-account': 'bank',
};

const stars = (n: number) => '*'.repeat(Math.max(n, 0));

export function maskText(kind: MaskKind, value: string): string {
  if (value.length <= 4) return stars(value.length);
  switch (kind) {
    case 'id':
      return value.length <= 7
        ? stars(value.length - 4) + value.slice(-4)
        : value.slice(0, 3) + stars(value.length - 7) + value.slice(-4);
    case 'mobile':
      return value.length === 11
        ? `${value.slice(0, 3)}****${value.slice(-4)}`
        : stars(value.length - 4) + value.slice(-4);
    case 'bank':
      return stars(value.length - 4) + value.slice(-4);
  }
}

/**
 * Formats an object's properties take under a condition (if/then, alone or in allOf): a person's
 * ID number in a block is a resident ID unless its document type says otherwise, and is masked as
 * an ID number either way.
 */
function conditionalFormats(schema: JSONSchema7): Record<string, JSONSchema7> {
  const out: Record<string, JSONSchema7> = {};
  for (const branch of [schema, ...(schema.allOf ?? [])]) {
    const then = typeof branch === 'object' && typeof branch.then === 'object' ? branch.then : {};
    for (const [k, p] of Object.entries(then.properties ?? {}))
      if (typeof p === 'object' && typeof p.format === 'string') out[k] ??= { format: p.format };
  }
  return out;
}

/** Masks every maskable string in `value` as its schema describes; `asKind` forces a kind at the top. */
export function maskValue(value: unknown, schema: JSONSchema7, asKind?: MaskKind): unknown {
  const kind = asKind ?? (typeof schema.format === 'string' ? kindByFormat[schema.format] : undefined);
  if (typeof value === 'string') return kind ? maskText(kind, value) : value;
  if (Array.isArray(value)) {
    const items =
      schema.items && typeof schema.items === 'object' && !Array.isArray(schema.items) ? schema.items : {};
    return value.map((v) => maskValue(v, items));
  }
  if (value && typeof value === 'object') {
    const props = schema.properties ?? {};
    const given = conditionalFormats(schema);
    const at = (k: string): JSONSchema7 => ({
      ...given[k],
      ...(typeof props[k] === 'object' ? props[k] : {}),
    });
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskValue(v, at(k))]));
  }
  return value;
}

/** What masking needs of a field: its schema and whether a sibling field types its ID number. */
export interface MaskedField {
  schema: JSONSchema7;
  definition: { idTypeField?: string };
}

/**
 * A sensitive value by its own masking rule (ID number, mobile, bank account); a text having none
 * (a child's name, birth time, certificate number: all of a child's data is sensitive) shows
 * nothing but its length. Department payloads, the window's and supervisors' case views and
 * e-licences shown to others than their holder all mask so.
 */
export function maskSensitiveValue(value: unknown, field: MaskedField): unknown {
  // An ID number whose document type lives in another field has no format of its own.
  const masked = maskValue(value, field.schema, field.definition.idTypeField ? 'id' : undefined);
  return typeof masked === 'string' && masked === value ? stars(masked.length) : masked;
}
