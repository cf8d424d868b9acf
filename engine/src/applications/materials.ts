/**
 * A case's materials as the clerk or applicant declares them: provided, an e-licence, deferred
 * (容缺) or replaced by a commitment (告知承诺); at acceptance every required one must be there.
 */
import { createHash } from 'node:crypto';
import { t, DomainError, type FieldProblem, type Text } from '../domain/errors.js';
import type { CommitmentInput, MaterialInput } from './api.js';
import type { AppliedField, MergeResult } from '../../../forms/src/merge/index.js';
import type { MaterialDefinition } from '../../../forms/src/bundle/index.js';
import { closePauses } from './case-clock.js';
import type { Application, Commitment, Notice, NoticeEntry, SupplementRequest } from './types.js';

/** Materials declared at acceptance (or supplied later): e-licence, upload, 容缺, 告知承诺. */
export function applyMaterials(
  app: Application,
  inputs: MaterialInput[],
  commitments: Commitment[],
  deferralDueAt: number,
  now: number,
  atAcceptance: boolean,
  /** A clerk checked the original at the window: it counts as provided without a file. */
  originalSeen: boolean,
  /** Commitment letters (commitmentLetters): each needs a signed commitment naming it at acceptance. */
  letters: readonly string[] = [],
): void {
  const problems: FieldProblem[] = [];
  for (const input of inputs) {
    const entry = app.materials.find((m) => m.id === input?.id);
    if (!entry) {
      problems.push({
        field: `materials.${input?.id}`,
        message: t('不是本办件需要的材料', 'is not a material of this case'),
      });
      continue;
    }
    switch (input.status) {
      case 'provided':
        if (!entry.file && !originalSeen) {
          problems.push({
            field: `materials.${entry.id}.file`,
            message: t(
              '请先上传该材料的文件，或到窗口由工作人员核验原件',
              'attach the file first, or have a clerk check the original at the window',
            ),
          });
          break;
        }
        entry.status = 'provided';
        if (input.uploadSha256) entry.uploadSha256 = input.uploadSha256;
        if (entry.deferral?.status === 'pending')
          entry.deferral = { ...entry.deferral, status: 'supplied', suppliedAt: now };
        break;
      case 'eLicence':
        if (!input.licenceId) {
          problems.push({
            field: `materials.${entry.id}.licenceId`,
            message: t('请提供电子证照编号', 'the e-licence id is required'),
          });
          break;
        }
        entry.status = 'eLicence';
        entry.licenceId = input.licenceId;
        if (entry.deferral?.status === 'pending')
          entry.deferral = { ...entry.deferral, status: 'supplied', suppliedAt: now };
        break;
      case 'deferred': {
        const commitment = commitments.find((c) => c.kind === 'deferral' && c.materials.includes(entry.id));
        if (!atAcceptance || !entry.deferrable || !commitment) {
          problems.push({
            field: `materials.${entry.id}`,
            message: !entry.deferrable
              ? t('该材料不允许容缺', 'this material may not be deferred')
              : t(
                  '容缺需在受理时签署容缺承诺书',
                  'deferral needs a signed deferral commitment at acceptance',
                ),
          });
          break;
        }
        entry.status = 'deferred';
        entry.commitmentId = commitment.id;
        entry.deferral = { dueAt: deferralDueAt, status: 'pending' };
        break;
      }
      case 'commitment': {
        const commitment = commitments.find((c) => c.kind !== 'deferral' && c.materials.includes(entry.id));
        const allowed = entry.commitment || letters.includes(entry.id);
        if (!atAcceptance || !allowed || !commitment) {
          problems.push({
            field: `materials.${entry.id}`,
            message: !allowed
              ? t('该材料不适用告知承诺', 'this material cannot be replaced by a commitment')
              : t('需签署告知承诺书', 'a signed commitment is required'),
          });
          break;
        }
        entry.status = 'commitment';
        entry.commitmentId = commitment.id;
        break;
      }
      default:
        problems.push({ field: `materials.${entry.id}.status`, message: t('状态无效', 'invalid status') });
    }
  }
  if (atAcceptance) {
    problems.push(...signLetters(app, letters, commitments));
    for (const m of app.materials) {
      if (m.required && m.status === 'missing') {
        problems.push({
          field: `materials.${m.id}`,
          label: m.name,
          message: t(`缺少必要材料：${m.name.zh}`, `required material missing: ${m.name.en}`),
        });
      }
    }
  }
  if (problems.length) {
    throw new DomainError(
      'invalid',
      t('材料不齐全或不符合要求', 'the materials are incomplete or not acceptable'),
      problems,
    );
  }
}

/**
 * 告知承诺 letters: materials generated from the form for the applicant to sign, which the bundle
 * lets a commitment stand for in this situation (`commitment`, and `commitmentWhen` holding: a
 * 消防安全承诺书 for a small restaurant, never a road restoration pledge). The items they serve are
 * granted on that commitment: signed at acceptance, each is post-checked after its approval.
 */
export function commitmentLetters(app: Application, definitions: readonly MaterialDefinition[]): string[] {
  const generated = new Set(definitions.filter((d) => d.source === 'generated').map((d) => d.id));
  return app.materials.filter((m) => generated.has(m.id) && m.commitment).map((m) => m.id);
}

/**
 * A commitment letter is generated from the form and signed at the window, as the application form
 * is: one that no commitment the clerk recorded names is recorded as signed by the applicant then
 * (its text: the case number and the letter's name), so its items are granted on commitment and
 * post-checked.
 */
export function lettersSignedAtWindow(
  app: Application,
  letters: readonly string[],
  recorded: readonly Commitment[],
  now: number,
  newId: () => string,
): Commitment[] {
  const named = (id: string) => recorded.some((c) => c.kind !== 'deferral' && c.materials.includes(id));
  return app.materials
    .filter((m) => letters.includes(m.id) && m.status !== 'commitment' && !named(m.id))
    .map((m) =>
      signedCommitment(
        {
          kind: 'licence',
          materials: [m.id],
          signer: app.applicant.name,
          text: `${app.number} ${m.name.zh} / ${m.name.en}`,
        },
        now,
        newId,
      ),
    );
}

/** Each commitment letter is recorded as signed by the commitment naming it; one no commitment names is a problem. */
function signLetters(
  app: Application,
  letters: readonly string[],
  commitments: Commitment[],
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const entry of app.materials.filter((m) => letters.includes(m.id) && m.status !== 'commitment')) {
    const commitment = commitments.find((c) => c.kind !== 'deferral' && c.materials.includes(entry.id));
    if (commitment) {
      entry.status = 'commitment';
      entry.commitmentId = commitment.id;
      continue;
    }
    problems.push({
      field: `materials.${entry.id}`,
      label: entry.name,
      message: t(
        `「${entry.name.zh}」须由申请人签署（告知承诺），请提交列明该材料的已签署承诺书`,
        `"${entry.name.en}" must be signed by the applicant (notification and commitment): add a signed commitment naming it`,
      ),
    });
  }
  return problems;
}

/** A signed commitment (容缺 or 告知承诺) as the case keeps it: who signed when, and a hash of the text. */
export function signedCommitment(input: CommitmentInput, now: number, newId: () => string): Commitment {
  if (!input || !['deferral', 'proof', 'licence'].includes(input.kind) || !input.signer || !input.text) {
    throw new DomainError('invalid', t('承诺书不完整', 'the commitment is incomplete'), [
      {
        field: 'commitments',
        message: t('需要类型、签署人和承诺内容', 'kind, signer and the signed text are required'),
      },
    ]);
  }
  return {
    id: newId(),
    kind: input.kind,
    materials: [...(input.materials ?? [])],
    signer: String(input.signer),
    signedAt: now,
    textHash: createHash('sha256').update(String(input.text)).digest('hex'),
  };
}

// ── supplements after acceptance ──────────────────────────────────────────────────────

/** A 容缺 material the applicant still owes (promised at acceptance, not yet brought). */
export const owed = (app: Application, materialId: string | undefined) =>
  app.materials.some((e) => e.id === materialId && e.deferral?.status === 'pending');

/** The supplement notice the case waits on, if any. */
export function openNotice(app: Application): Notice | undefined {
  return app.notices.find((n) => n.kind === 'supplement' && !n.resolvedAt && !n.withdrawnAt);
}

/** A request still waiting for the applicant: neither answered nor withdrawn (撤回). */
export const unanswered = (r: SupplementRequest): boolean => !r.resolvedAt && !r.withdrawnAt;

/**
 * A notice entry may name a part of a field (financeOfficer.mobile, investors[0].name): the form
 * field is its first step, as the window's correction panel reads it (web/src/lib/corrections.ts).
 */
const formField = (fieldId: string) => fieldId.split(/[.[]/)[0]!;

/**
 * A supplement carries only what the open notice names, and 容缺 materials still owed; never
 * nothing, except from the window when the notice has entries naming neither a field nor a
 * material (其他: an explanation, a visit): the clerk's empty supplement records them answered.
 */
export function expectAskedFor(
  app: Application,
  input: { data?: Record<string, unknown>; materials?: { id: string }[] },
  byClerk = false,
): void {
  const notice = openNotice(app);
  const freeText = !!notice?.entries.some((e) => !e.fieldId && !e.materialId);
  const fields = new Set(notice?.entries.flatMap((e) => (e.fieldId ? [formField(e.fieldId)] : [])));
  const materials = new Set([
    ...(notice?.entries.flatMap((e) => (e.materialId ? [e.materialId] : [])) ?? []),
    ...app.materials.filter((m) => m.deferral?.status === 'pending').map((m) => m.id),
  ]);
  const dataKeys = Object.keys(input.data ?? {});
  const supplied = input.materials ?? [];
  const problems: FieldProblem[] = [
    ...dataKeys
      .filter((key) => !fields.has(key))
      .map((key) => ({
        field: `data.${key}`,
        message: t('补正通知未要求更改此项', 'the supplement notice does not ask for this field'),
      })),
    ...supplied
      .filter((m) => !materials.has(m?.id))
      .map((m) => ({
        field: `materials.${m?.id}`,
        message: t('补正通知未要求此材料', 'the supplement notice does not ask for this material'),
      })),
  ];
  if (!dataKeys.length && !supplied.length && !(byClerk && freeText)) {
    problems.push({
      field: 'materials',
      message: t('请提供补正通知要求的材料或信息', 'supply the materials or fields the notice asks for'),
    });
  }
  if (problems.length) {
    throw new DomainError(
      'invalid',
      t('补正内容与补正通知不符', 'the supplement does not match what the notice asks for'),
      problems,
    );
  }
}

/** The items of a case a department has decided (or that ended): their fields stay as decided. */
function decidedItems(app: Application): Set<string> {
  return new Set(
    app.items.filter((i) => i.status !== 'reviewing' && i.status !== 'needs-supplement').map((i) => i.item),
  );
}

/** Fields of items already decided stay as decided: a supplement may not change them. */
export function expectUndecidedFields(app: Application, fields: AppliedField[], keys: string[]): void {
  const decided = decidedItems(app);
  const problems = fields
    .filter((f) => keys.includes(f.id))
    .flatMap((f) => {
      const by = f.items.filter((item) => decided.has(item));
      return by.length
        ? [
            {
              field: `data.${f.id}`,
              label: f.label,
              message: t(
                `事项 ${by.join('、')} 已办结，不能更改`,
                `item(s) ${by.join(', ')} already decided on it`,
              ),
            },
          ]
        : [];
    });
  if (problems.length) {
    throw new DomainError(
      'stateInvalid',
      t('已办结事项的信息不能更改', 'fields of items already decided cannot change'),
      problems,
    );
  }
}

/**
 * A department asks only for what its own items in the case take (`mine`; its review shows their
 * fields and materials): another department's field or material is theirs to ask for (the
 * applicant's answer would change what they decide on), and one the case's form does not have
 * cannot be answered at all. Each such entry is refused naming it.
 */
export function expectOwnEntries(
  mine: ReadonlySet<string>,
  merged: Pick<MergeResult, 'fields' | 'materials'>,
  entries: NoticeEntry[],
): void {
  const ours = (items: readonly string[]) => items.some((i) => mine.has(i));
  const problems = entries.flatMap((entry, i): FieldProblem[] => {
    if (entry.fieldId !== undefined) {
      const field = merged.fields.find((f) => f.id === formField(entry.fieldId!));
      if (!field || !ours(field.items))
        return [
          notOurs(`entries[${i}].fieldId`, field?.label ?? t(entry.fieldId, entry.fieldId), '字段', 'field'),
        ];
    }
    if (entry.materialId !== undefined) {
      const material = merged.materials.find((m) => m.id === entry.materialId);
      if (!material || !ours(material.items))
        return [
          notOurs(
            `entries[${i}].materialId`,
            material?.name ?? t(entry.materialId, entry.materialId),
            '材料',
            'material',
          ),
        ];
    }
    return [];
  });
  if (problems.length) {
    throw new DomainError(
      'invalid',
      t(
        '补正要求只能针对本部门事项的字段和材料',
        "a supplement request asks only for the department's own fields and materials",
      ),
      problems,
    );
  }
}

function notOurs(path: string, label: Text, zhKind: string, enKind: string): FieldProblem {
  return {
    field: path,
    label,
    message: t(
      `「${label.zh}」不是本部门事项的${zhKind}`,
      `"${label.en}" is not a ${enKind} of your department's items`,
    ),
  };
}

/**
 * A department asks only for what the applicant can still change: a field an item already decided
 * uses stays as decided (expectUndecidedFields), so a request for it could never be answered and
 * would hold the case for ever. Each such entry is refused naming the field and the item.
 */
export function expectAnswerableEntries(
  app: Application,
  fields: AppliedField[],
  entries: NoticeEntry[],
): void {
  const decided = decidedItems(app);
  const problems = entries.flatMap((entry, i) => {
    const field = entry.fieldId ? fields.find((f) => f.id === formField(entry.fieldId!)) : undefined;
    const by = app.items.filter((item) => decided.has(item.item) && field?.items.includes(item.item));
    if (!field || !by.length) return [];
    const names = t(by.map((item) => item.name.zh).join('、'), by.map((item) => item.name.en).join(', '));
    return [
      {
        field: `entries[${i}].fieldId`,
        label: field.label,
        message: t(
          `「${field.label.zh}」已用于已办结的事项 ${names.zh}，申请人不能再更改；请要求其他材料或信息，或作出不予许可决定`,
          `"${field.label.en}" is used by ${names.en}, already decided, so the applicant can no longer change it; ask for something else or reject`,
        ),
      },
    ];
  });
  if (problems.length) {
    throw new DomainError(
      'stateInvalid',
      t('补正要求中有申请人无法补正的内容', 'the request asks for what the applicant can no longer change'),
      problems,
    );
  }
}

/**
 * The applicant answered (part of) the open notice: each request whose every entry a supplement
 * since the notice answered is resolved and its item's clock resumes; the notice stays open, the
 * clocks of the rest stopped, until all are answered.
 */
export function answerNotice(app: Application, notice: Notice, now: number): void {
  const answered = answeredSince(app, notice);
  // A withdrawn request stays withdrawn, even where a supplement happens to answer its entries.
  for (const r of app.requests.filter((r) => r.noticeId === notice.id && unanswered(r)))
    if (r.entries.every((e) => isAnswered(e, answered))) r.resolvedAt = now;
  settleNotice(app, notice, now);
}

/**
 * Some of the notice's requests were answered or withdrawn: their items' clocks resume; once none
 * waits the notice closes (withdrawn when none of it was answered) and the case runs on.
 */
function settleNotice(app: Application, notice: Notice, now: number): void {
  const requests = app.requests.filter((r) => r.noticeId === notice.id);
  const waiting = [...new Set(requests.filter(unanswered).map((r) => r.item))];
  for (const item of app.items) {
    if (item.status === 'needs-supplement' && !waiting.includes(item.item)) item.status = 'reviewing';
  }
  const pause = app.pauses.find((p) => p.reason === 'supplement' && p.to === undefined);
  if (waiting.length && pause?.items?.length === waiting.length) return; // nobody's clock resumes yet
  closePauses(app.pauses, 'supplement', now);
  if (waiting.length) {
    app.pauses.push({ from: now, reason: 'supplement', items: waiting });
    return;
  }
  if (requests.every((r) => r.withdrawnAt)) notice.withdrawnAt = now;
  else notice.resolvedAt = now;
  app.status = 'in-progress';
}

/**
 * Requests taken back unanswered (the department withdrew them, or their item ended): withdrawn
 * (撤回, by whom), the item reviewed again if nothing else of it waits, and an open notice carrying
 * them waits on the rest only (it closes, and the case runs on, once none waits). Nothing is
 * answered by it: the other requests' free-text entries still wait for the applicant.
 */
export function withdrawRequests(
  app: Application,
  requests: SupplementRequest[],
  now: number,
  by: string,
): void {
  for (const r of requests) Object.assign(r, { withdrawnAt: now, withdrawnBy: by });
  const waiting = new Set(app.requests.filter(unanswered).map((r) => r.item));
  for (const item of app.items)
    if (item.status === 'needs-supplement' && !waiting.has(item.item)) item.status = 'reviewing';
  const notice = openNotice(app);
  if (app.status === 'awaiting-supplement' && notice) settleNotice(app, notice, now);
}

interface Answered {
  fields: Set<string>;
  materials: Set<string>;
}

/** What the supplements recorded after the notice went out supplied (the timeline keeps them). */
function answeredSince(app: Application, notice: Notice): Answered {
  const answered: Answered = { fields: new Set(), materials: new Set() };
  const issued = app.timeline.findIndex(
    (e) => e.type === 'notice.issued' && e.data?.notice === notice.number,
  );
  for (const entry of app.timeline.slice(issued + 1)) {
    if (entry.type !== 'supplemented') continue;
    for (const field of (entry.data?.fields as string[] | undefined) ?? []) answered.fields.add(field);
    for (const id of (entry.data?.materials as string[] | undefined) ?? []) answered.materials.add(id);
  }
  return answered;
}

/** An entry naming neither a field nor a material is answered by any supplement to its notice. */
function isAnswered(entry: Notice['entries'][number], answered: Answered): boolean {
  if (entry.fieldId) return answered.fields.has(formField(entry.fieldId));
  if (entry.materialId) return answered.materials.has(entry.materialId);
  return true;
}
