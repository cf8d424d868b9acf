/**
 * A case's materials as the clerk or applicant declares them: provided, an e-licence, deferred
 * (容缺) or replaced by a commitment (告知承诺); at acceptance every required one must be there.
 */
import { createHash } from 'node:crypto';
import { t, DomainError, type FieldProblem } from '../domain/errors.js';
import type { CommitmentInput, MaterialInput } from './api.js';
import type { AppliedField } from '../../../forms/src/merge/index.js';
import { closePauses } from './case-clock.js';
import type { Application, Commitment, Notice } from './types.js';

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
        if (!atAcceptance || !entry.commitment || !commitment) {
          problems.push({
            field: `materials.${entry.id}`,
            message: !entry.commitment
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

/** The supplement notice the case waits on, if any. */
export function openNotice(app: Application): Notice | undefined {
  return app.notices.find((n) => n.kind === 'supplement' && !n.resolvedAt);
}

/** A notice entry may name a part of a field (financeOfficer.mobile): the form field is its first step. */
const formField = (fieldId: string) => fieldId.split('.')[0]!;

/** A supplement carries only what the open notice names, and 容缺 materials still owed; never nothing. */
export function expectAskedFor(
  app: Application,
  input: { data?: Record<string, unknown>; materials?: { id: string }[] },
): void {
  const notice = openNotice(app);
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
  if (!dataKeys.length && !supplied.length) {
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

/** Fields of items already decided stay as decided: a supplement may not change them. */
export function expectUndecidedFields(app: Application, fields: AppliedField[], keys: string[]): void {
  const decided = new Set(
    app.items.filter((i) => i.status !== 'reviewing' && i.status !== 'needs-supplement').map((i) => i.item),
  );
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
 * The applicant answered (part of) the open notice: each request whose every entry a supplement
 * since the notice answered is resolved and its item's clock resumes; the notice stays open, the
 * clocks of the rest stopped, until all are answered.
 */
export function answerNotice(app: Application, notice: Notice, now: number): void {
  const answered = answeredSince(app, notice);
  const requests = app.requests.filter((r) => r.noticeId === notice.id);
  for (const r of requests) {
    if (r.resolvedAt) continue;
    if (r.entries.every((e) => isAnswered(e, answered))) r.resolvedAt = now;
  }
  const waiting = [...new Set(requests.filter((r) => !r.resolvedAt).map((r) => r.item))];
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
  notice.resolvedAt = now;
  app.status = 'in-progress';
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
