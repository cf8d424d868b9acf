/**
 * Domain errors carry what a clerk reads (zh and en) and what a program reads (code, field errors).
 * The HTTP layer turns them into application/problem+json with `status`.
 */
export interface Text {
  zh: string;
  en: string;
}

/** A text in both languages, Chinese first. */
export const t = (zh: string, en: string): Text => ({ zh, en });

export interface FieldProblem {
  /** JSON pointer-ish path or field id, e.g. "data.residentId" or "materials[2]". */
  field: string;
  label?: Text;
  message: Text;
}

export type DomainErrorCode =
  'badRequest' | 'invalid' | 'notFound' | 'forbidden' | 'conflict' | 'stateInvalid' | 'tooLarge';

const STATUS: Record<DomainErrorCode, number> = {
  badRequest: 400,
  invalid: 422,
  notFound: 404,
  forbidden: 403,
  conflict: 409,
  stateInvalid: 409,
  tooLarge: 413,
};

export class DomainError extends Error {
  readonly status: number;
  constructor(
    readonly code: DomainErrorCode,
    readonly text: Text,
    readonly fieldErrors: FieldProblem[] = [],
  ) {
    super(text.en);
    this.status = STATUS[code];
  }
}

export const notFound = (what: Text) =>
  new DomainError('notFound', { zh: `${what.zh}不存在`, en: `${what.en} does not exist` });

export const forbidden = (why: Text) => new DomainError('forbidden', why);

export const stateInvalid = (text: Text) => new DomainError('stateInvalid', text);
