/**
 * Checks a command makes before it changes a case: the case and item are in a state that allows
 * it, and what the caller typed (applicant, notice entries, required text) is complete.
 */
import { t, DomainError, stateInvalid, type FieldProblem, type Text } from '../domain/errors.js';
import { checkCreditCode } from '../../../forms/src/validate/formats/credit-code.js';
import { checkResidentId, residentIdCheckChar } from '../../../forms/src/validate/formats/resident-id.js';
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

/**
 * What is wrong with an applicant's identity number, if anything. An organisation's is its
 * unified social credit code. A person's resident ID card number (18 characters) must be one
 * (region, date of birth, check character; a foreigner's permanent residence card, starting with
 * 9, by its check character); other documents (passport, the permits of Hong Kong, Macao and
 * Taiwan residents, a Hong Kong identity card's A123456(7)) are 5–40 letters, digits, hyphens or
 * brackets. Spaces around it are dropped.
 */
function idNumberProblem(kind: Applicant['kind'], value: string): Text | undefined {
  const id = value.trim().toUpperCase();
  if (kind === 'organisation') {
    return checkCreditCode(id).ok
      ? undefined
      : t('统一社会信用代码不正确', 'not a valid unified social credit code');
  }
  if (/^\d{17}[\dX]$/.test(id)) {
    const valid = id.startsWith('9')
      ? residentIdCheckChar(id.slice(0, 17)) === id[17]
      : checkResidentId(id).ok;
    return valid ? undefined : t('居民身份证号码不正确', 'not a valid resident ID card number');
  }
  // As the form library's loose rule: a Hong Kong identity card is written A123456(7).
  return /^[A-Z0-9()-]{5,40}$/.test(id)
    ? undefined
    : t(
        '证件号码应为居民身份证号码或 5–40 位字母、数字的其他证件号码',
        'must be a resident ID card number, or another document number of 5–40 letters and digits',
      );
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
    const problem = idNumberProblem(input.kind, input.idNumber);
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
