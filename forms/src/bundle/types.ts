import type { WorkingAgeRule } from '../validate/working-age.js';
import type { JSONSchema7 } from 'json-schema';
import type { Sensitivity, Text } from '../library/index.js';

/**
 * The bundle definition format (bundle.json). Codes are ASCII and stable: process.bpmn refers to
 * items with gov:item and to departments with gov:department.
 */
export interface BundleDefinition {
  code: string;
  version: string;
  name: Text;
  leadDepartment: string;
  /** Promised limit for the whole bundle, working days. */
  promisedDays: number;
  departments: Department[];
  questions: SituationQuestion[];
  materials: MaterialDefinition[];
  items: ItemDefinition[];
  /** Situations this bundle cannot be applied for (a restaurant in a residential building…). */
  refuseWhen?: Refusal[];
  /**
   * The ages a person may apply at, read from their ID number (flexible employment: 16 up to the
   * statutory retirement age). See forms/src/validate/working-age.ts.
   */
  applicantAge?: WorkingAgeRule;
}

/** When the FEEL condition over the situation answers holds, no application: the message says why. */
export interface Refusal {
  condition: string;
  message: Text;
}

export interface Department {
  code: string;
  name: Text;
  /** Utilities and banks are companies, not authorities: they get the least data. */
  kind: 'authority' | 'company';
}

/** 情形: one question of the situation questionnaire. */
export interface SituationQuestion {
  id: string;
  label: Text;
  type: 'choice' | 'multiChoice' | 'boolean' | 'number';
  options?: { value: string; label: Text }[];
  minimum?: number;
  maximum?: number;
}

export interface MaterialDefinition {
  id: string;
  name: Text;
  /** 原件 inspected / 复印件 / electronic only. Items may ask for the original of a copy material. */
  form: 'original' | 'copy' | 'electronic';
  /**
   * Where it comes from: the applicant uploads or shows it; an e-licence; shared government data
   * (never asked); generated from the unified form and signed; the output of an earlier item.
   */
  source?: 'applicant' | 'eLicence' | 'shared' | 'generated' | 'output';
  /** E-licence type code that can stand in for the material (免证办). */
  eLicenceType?: string;
  /** 容缺: may be supplied after acceptance. Only secondary materials. */
  deferrable?: boolean;
  /** 告知承诺: a signed commitment may replace it. */
  commitment?: boolean;
  /** FEEL over the situation answers: the commitment is offered only when it holds (absent: always). */
  commitmentWhen?: string;
}

export interface ItemDefinition {
  code: string;
  name: Text;
  department: string;
  promisedDays: number;
  /** FEEL over the situation answers; the item is in the application when true (absent: always). */
  condition?: string;
  /** Item codes that must finish first (their results feed this item). */
  after?: string[];
  fields: ItemField[];
  materials: ItemMaterial[];
  /** Situation answers the department receives with its payload (e.g. sealTypes for seal filing). */
  answers?: string[];
  /** The e-licence its approval issues (发证清单), carrying these of its fields as licence data. */
  issues?: { eLicenceType: string; fields: string[]; holder?: 'applicant' | 'resultNumber' };
  /**
   * Results its deciding department records when approving (the new enterprise's credit code, the
   * birth certificate's number): shown to the applicant with the item's result, and to the items
   * after it that name them in `needs`.
   */
  outputs?: ItemOutput[];
  /** Outputs of items before it (`after`, directly or further back) its department works from. */
  needs?: OutputRef[];
}

/** One result value an approval records. Text (codes and numbers); `format: "date"` for a date. */
export interface ItemOutput {
  key: string;
  label: Text;
  /** A format checked on approval (the same names as the field library's: credit-code, resident-id…). */
  format?: OutputFormat;
  /** A regular expression the whole value matches, and how it reads to the department (“1位字母加9位数字”). */
  pattern?: string;
  hint?: Text;
  /** At most this many characters (default 100). */
  maxLength?: number;
  /**
   * As a field's: 'sensitive' (a child's certificate number) is masked for the window and
   * supervisors; the deciding department and those that `need` it see it in full.
   */
  sensitivity?: Sensitivity;
}

export type OutputFormat = 'credit-code' | 'resident-id' | 'division-code' | 'date';

/** An output of an earlier item of the bundle. */
export interface OutputRef {
  item: string;
  output: string;
}

export interface ItemField {
  field: string;
  required?: boolean;
  /** FEEL over the situation answers. */
  condition?: string;
  /** The department needs the sensitive value unmasked (ID number, phone, bank account). */
  needsFull?: boolean;
  /** Extra constraints of this item on the library schema (maxLength, pattern, enum…). */
  constraints?: JSONSchema7;
}

export interface ItemMaterial {
  material: string;
  required?: boolean;
  condition?: string;
  /** Overrides of the bundle material for this item; the merge keeps the strictest. */
  original?: boolean;
  deferrable?: boolean;
  commitment?: boolean;
}

export type Answers = Record<string, unknown>;
