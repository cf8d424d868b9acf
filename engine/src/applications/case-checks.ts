/**
 * Checks a command makes before it changes a case: the case and item are in a state that allows
 * it, and what the caller typed (applicant, notice entries, required text) is complete.
 */
import { t, DomainError, stateInvalid, type FieldProblem, type Text } from '../domain/errors.js';
// The same check the window's form makes on the applicant step (one rule, one place).
import { applicantIdNumberProblem } from '../../../forms/src/validate/formats/applicant-id.js';
import { workingAgeProblem } from '../../../forms/src/validate/working-age.js';
import type { BundleDefinition } from '../../../forms/src/bundle/index.js';
import { dayOf, formatDay } from '../jobs/calendar/cst.js';
import type { Applicant, Application, ApplicationStatus, ItemCase, NoticeEntry } from './types.js';

export function expectStatus(app: Application, allowed: ApplicationStatus[]): void {
  if (allowed.includes(app.status)) return;
  throw stateInvalid(
    t(
      `办件状态为 ${app.status}，不能进行此操作`,
      `the case is ${app.status}; this needs ${allowed.join(' or ')}`,
    ),
  );
}

export function expectItem(item: ItemCase, allowed: ItemCase['status'][]): void {
  if (allowed.includes(item.status)) return;
  throw stateInvalid(
    t(
      `事项状态为 ${item.status}，不能进行此操作`,
      `the item is ${item.status}; this needs ${allowed.join(' or ')}`,
    ),
  );
}

/**
 * The item's workflow task is open: the process has reached it. Until then (an item before it is
 * still undecided, as registration comes before tax) its department can neither decide it nor ask
 * for a supplement: a decision recorded without its task left the task open for ever.
 */
export function expectReached(item: ItemCase): void {
  if (item.taskId !== undefined) return;
  throw stateInvalid(
    t(
      '该事项尚未流转到本部门（前序事项尚未办结），暂不能办理',
      'the item has not reached your department yet (an item before it is still undecided)',
    ),
  );
}

export function requireText(value: unknown, field: string, label: Text): string {
  if (typeof value === 'string' && value.trim()) return value.trim().slice(0, 2000);
  throw new DomainError('invalid', t(`请填写${label.zh}`, `${label.en} is required`), [
    { field, label, message: t('必填', 'required') },
  ]);
}

export function checkEntries(entries: NoticeEntry[] | undefined): NoticeEntry[] {
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new DomainError('invalid', t('请列出需要补正的内容', 'list what must be corrected'), [
      { field: 'entries', message: t('至少一项', 'at least one entry') },
    ]);
  }
  const problems: FieldProblem[] = [];
  const clean = entries.map((e, i) => {
    if (!e || typeof e.problem !== 'string' || !e.problem.trim()) {
      problems.push({ field: `entries[${i}].problem`, message: t('请说明问题', 'describe the problem') });
    }
    const entry: NoticeEntry = { problem: String(e?.problem ?? '').slice(0, 1000) };
    if (e?.materialId) entry.materialId = String(e.materialId);
    if (e?.fieldId) entry.fieldId = String(e.fieldId);
    if (e?.requirement) entry.requirement = String(e.requirement).slice(0, 1000);
    return entry;
  });
  if (problems.length)
    throw new DomainError('invalid', t('补正内容不完整', 'the notice entries are incomplete'), problems);
  return clean;
}

export function checkApplicant(input: Applicant): Applicant {
  const problems: FieldProblem[] = [];
  if (!input || !['person', 'organisation'].includes(input.kind)) {
    problems.push({
      field: 'applicant.kind',
      message: t('应为 person 或 organisation', 'must be person or organisation'),
    });
  }
  if (!input?.name || typeof input.name !== 'string')
    problems.push({ field: 'applicant.name', message: t('必填', 'required') });
  if (!input?.idNumber || typeof input.idNumber !== 'string') {
    problems.push({ field: 'applicant.idNumber', message: t('必填', 'required') });
  } else {
    const problem = applicantIdNumberProblem(input.kind, input.idNumber);
    if (problem) problems.push({ field: 'applicant.idNumber', message: problem });
  }
  if (problems.length)
    throw new DomainError('invalid', t('申请人信息不完整', 'the applicant is incomplete'), problems);
  const applicant: Applicant = {
    kind: input.kind,
    name: input.name.slice(0, 200),
    idNumber: input.idNumber.trim().toUpperCase(),
  };
  if (input.phone) applicant.phone = String(input.phone).slice(0, 20);
  // At the window the applicant's account is linked by scanning their identity code.
  if (typeof input.userId === 'string' && input.userId) applicant.userId = input.userId.slice(0, 100);
  return applicant;
}

/**
 * A person outside the bundle's ages (applicantAge, read from their ID number on today's date in
 * China) cannot apply: refused naming the ID number, with the age rule that stops them.
 */
export function expectApplicantAge(definition: BundleDefinition, applicant: Applicant, now: number): void {
  if (!definition.applicantAge || applicant.kind !== 'person') return;
  const problem = workingAgeProblem(definition.applicantAge, applicant.idNumber, formatDay(dayOf(now)));
  if (problem)
    throw new DomainError(
      'invalid',
      t('申请人不符合办理条件', 'the applicant cannot apply for this bundle'),
      [{ field: 'applicant.idNumber', message: problem }],
    );
}
