import type { JSONSchema7 } from 'json-schema';

/** User-facing text: zh-CN first, English second. */
export interface Text {
  zh: string;
  en: string;
}

/**
 * public: may go anywhere; personal: names, addresses (minimum-necessary applies);
 * sensitive: ID numbers, phones, bank accounts, children's data — masked unless an item needs it in full.
 */
export type Sensitivity = 'public' | 'personal' | 'sensitive';

/** Our own string formats, registered with ajv by forms/src/validate. */
export type GovFormat =
  | 'resident-id'
  | 'credit-code'
  | 'mobile-cn'
  | 'postal-code-cn'
  | 'division-code'
  | 'bank-account'
  | 'email'
  | 'date'
  | 'date-time';

/** Sections of the unified form; a field belongs to one. */
export type Topic =
  | 'applicant'
  | 'legalRep'
  | 'enterprise'
  | 'people'
  | 'address'
  | 'tax'
  | 'insurance'
  | 'bank'
  | 'newborn'
  | 'parents'
  | 'employment'
  | 'restaurant'
  | 'fire'
  | 'sign'
  | 'utility'
  | 'road'
  | 'contact';

/** One field of the field library (要素库). Items refer to it by id. */
export interface FieldDefinition {
  /** ASCII camelCase, stable: json-schema-to-typescript turns it into a property name. */
  id: string;
  label: Text;
  help?: Text;
  topic: Topic;
  /** JSON Schema draft-07 fragment (title and description are added from label and help). */
  schema: JSONSchema7;
  sensitivity: Sensitivity;
  /** The string format of the value itself, also present in `schema`. */
  format?: GovFormat;
  /**
   * For ID numbers whose rule depends on a document-type field (证件类型): the id of that field.
   * The resident-ID checksum then applies only when that field says resident ID or residence permit.
   */
  idTypeField?: string;
  /**
   * For a value that is a code of a code list (its `enum`, or its items' for a multiple choice):
   * each code's label, which forms show and readers see in its place. The value stays the code.
   */
  codes?: Readonly<Record<string, Text>>;
}
