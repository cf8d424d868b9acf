/**
 * Texts the window prints or has signed: the 容缺 and 告知承诺 commitments and the entries of a
 * one-time notice (一次性告知) before acceptance. Pure, so the wording is tested.
 */
import type { Lang, Text } from './problems.js';

export interface CommitmentFacts {
  bundle: string;
  applicant: string;
  materials: string[];
  /** 容缺: working days to supply the deferred materials. */
  days: number;
}

/** The text the applicant signs; the server keeps its SHA-256 with the commitment. */
export function commitmentText(kind: 'deferral' | 'proof', lang: Lang, f: CommitmentFacts): string {
  const list = f.materials.map((m, i) => `${i + 1}. ${m}`).join('\n');
  if (lang === 'en') {
    return kind === 'deferral'
      ? `Deferred acceptance commitment (容缺受理承诺书)\n\nI, ${f.applicant}, apply for "${f.bundle}". The following secondary materials are not yet provided:\n${list}\nI undertake to supply them within ${f.days} working days. I understand that the results will not be issued until they arrive, and that if they are not supplied in time the case is terminated and any decision already made is revoked.`
      : `Notification and commitment (告知承诺书)\n\nI, ${f.applicant}, apply for "${f.bundle}". I have been told the conditions, standards and legal consequences, and I commit that the following requirements are met, instead of providing the proof:\n${list}\nI accept post-verification. I understand that a false commitment leads to the decision being revoked and a credit record.`;
  }
  return kind === 'deferral'
    ? `容缺受理承诺书\n\n本人${f.applicant}申请办理“${f.bundle}”，下列次要材料暂缺：\n${list}\n本人承诺在 ${f.days} 个工作日内补齐。本人知悉：材料补齐前办理结果不予出件；逾期未补齐的，终止办理，已作出的决定予以撤销。`
    : `告知承诺书\n\n本人${f.applicant}申请办理“${f.bundle}”。行政机关已告知办理条件、标准和法律后果。本人承诺下列事项真实、符合要求，以承诺代替证明：\n${list}\n本人愿意接受事中事后核查；承诺不实的，依法撤销相关决定并记入信用记录。`;
}

export interface NoticeEntryInput {
  materialId?: string;
  fieldId?: string;
  problem: string;
  requirement?: string;
}

/** One complete notice: every missing required material, then each line of the clerk's notes. */
export function correctionEntries(
  missing: readonly { id: string; name: Text }[],
  notes: string,
  lang: Lang,
): NoticeEntryInput[] {
  const entries: NoticeEntryInput[] = missing.map((m) => ({
    materialId: m.id,
    problem: lang === 'en' ? `Missing: ${m.name.en}` : `未提交：${m.name.zh}`,
    requirement: lang === 'en' ? `Provide ${m.name.en}` : `请提交${m.name.zh}`,
  }));
  for (const line of notes.split(/\r?\n/)) {
    const text = line.trim();
    if (text) entries.push({ problem: text });
  }
  return entries;
}
