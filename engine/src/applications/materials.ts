/**
 * A case's materials as the clerk or applicant declares them: provided, an e-licence, deferred
 * (容缺) or replaced by a commitment (告知承诺); at acceptance every required one must be there.
 */
import { createHash } from 'node:crypto';
import { t, DomainError, type FieldProblem } from '../domain/errors.js';
import type { CommitmentInput, MaterialInput } from './api.js';
import type { Application, Commitment } from './types.js';

/** Materials declared at acceptance (or supplied later): e-licence, upload, 容缺, 告知承诺. */
export function applyMaterials(
  app: Application,
  inputs: MaterialInput[],
  commitments: Commitment[],
  deferralDueAt: number,
  now: number,
  atAcceptance: boolean,
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
