/**
 * The API's errors are application/problem+json: a title and detail in both languages and
 * `errors: [{ field, message: { zh, en } }]`. These helpers put each message next to its field:
 * unified-form fields (`data.companyName`, `data.investors.0.name`) become ajv-shaped errors
 * that JSON Forms shows under the control; other fields are looked up by name.
 */
import type { ErrorObject } from 'ajv';

export type Lang = 'zh' | 'en';

export interface Text {
  zh: string;
  en: string;
}

export interface FieldProblem {
  field: string;
  label?: Text;
  message: Text;
}

export interface ProblemBody {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  zh?: { title: string; detail: string };
  en?: { title: string; detail: string };
  errors?: FieldProblem[];
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: ProblemBody;
  constructor(status: number, problem: ProblemBody) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }

  /** The summary line in the reader's language. */
  summary(lang: Lang): string {
    const p = this.problem;
    const local = p[lang];
    if (local)
      return local.detail && local.detail !== local.title ? `${local.title}：${local.detail}` : local.title;
    return p.detail || p.title || this.message;
  }

  get fieldErrors(): FieldProblem[] {
    return this.problem.errors ?? [];
  }
}

/** A network failure or a non-problem response, as a problem the pages can show. */
export function asApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ApiError(0, {
    title: message,
    zh: { title: '无法连接服务器', detail: message },
    en: { title: 'Cannot reach the server', detail: message },
    errors: [],
  });
}

/** `data.investors.0.name` or `data.investors[0].name` → `/investors/0/name`; null for non-form fields. */
export function formInstancePath(field: string): string | null {
  if (!field.startsWith('data.')) return null;
  const parts = field
    .slice('data.'.length)
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter(Boolean);
  return `/${parts.join('/')}`;
}

/** Server errors on unified-form fields as JSON Forms `additionalErrors`. */
export function formErrors(problems: readonly FieldProblem[], lang: Lang): ErrorObject[] {
  const out: ErrorObject[] = [];
  for (const p of problems) {
    const path = formInstancePath(problemField(p));
    if (path === null) continue;
    out.push({
      instancePath: path,
      schemaPath: '#',
      keyword: 'server',
      params: {},
      message: p.message[lang],
    } as ErrorObject);
  }
  return out;
}

/**
 * The field a problem names, as the page names it: the server's request checks say where the value
 * was (`body.reason`, `query.from`, `params.id`), its domain checks do not (`reason`).
 */
export function problemField(problem: FieldProblem): string {
  return problem.field.replace(/^(body|query|params)\./, '');
}

/** Whether a problem is about `field` or a part of it (`entries` covers `entries[0].problem`). */
export function isAbout(problem: FieldProblem, field: string): boolean {
  const name = problemField(problem);
  return name === field || name.startsWith(`${field}.`) || name.startsWith(`${field}[`);
}

/** Messages for one non-form field (`applicant.name`, `materials.premisesProof`, `reason`…), joined. */
export function fieldMessage(
  problems: readonly FieldProblem[],
  field: string,
  lang: Lang,
): string | undefined {
  const hits = problems.filter((p) => isAbout(p, field));
  return hits.length ? hits.map((p) => p.message[lang]).join('；') : undefined;
}

/** Errors no field on the page claims: shown in the banner so nothing is lost. */
export function unclaimed(
  problems: readonly FieldProblem[],
  claimed: (field: string) => boolean,
): FieldProblem[] {
  return problems.filter((p) => !claimed(p.field));
}
