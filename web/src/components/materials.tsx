/**
 * The one set of materials (一套材料) at the window: every material once, the items it serves,
 * and what the clerk records for it — received (original inspected or copy taken), an e-licence
 * from the applicant's licence list (matched automatically by type), 容缺 (deferred on a signed
 * commitment, secondary materials only) or 告知承诺 (a commitment instead of the proof).
 */
import type { LicenceDoc, MaterialInput } from '../api.js';
import type { MaterialEntry } from '../../../engine/src/applications/types.js';
import { useApp } from '../context.js';
import { fieldMessage, type FieldProblem } from '../lib/problems.js';
import { FieldError, formatTime } from './common.js';
import { MaterialFile } from './material-file.js';

export type Choice = MaterialInput['status'] | 'missing';

export interface MaterialChoice {
  status: Choice;
  licenceId?: string;
}

/** The valid licences of the material's e-licence type. */
export function licencesFor(
  material: Pick<MaterialEntry, 'eLicenceType'>,
  licences: readonly LicenceDoc[],
): LicenceDoc[] {
  if (!material.eLicenceType) return [];
  return licences.filter((l) => l.typeCode === material.eLicenceType && l.status === 'valid');
}

/** First choice for each material: an e-licence when the applicant holds one, else not yet received. */
export function initialChoices(
  materials: readonly MaterialEntry[],
  licences: readonly LicenceDoc[],
): Record<string, MaterialChoice> {
  const out: Record<string, MaterialChoice> = {};
  for (const m of materials) {
    if (m.status === 'notRequired') continue;
    const match = licencesFor(m, licences)[0];
    out[m.id] = match
      ? { status: 'eLicence', licenceId: match.id }
      : { status: m.status === 'missing' ? 'missing' : (m.status as Choice) };
  }
  return out;
}

export function MaterialsChecklist({
  materials,
  choices,
  licences,
  onChange,
  problems,
  allowRelief,
  itemNames,
  files,
}: {
  materials: readonly MaterialEntry[];
  choices: Record<string, MaterialChoice>;
  licences: readonly LicenceDoc[];
  onChange(id: string, choice: MaterialChoice): void;
  problems: readonly FieldProblem[];
  /** 容缺 and 告知承诺 only at acceptance. */
  allowRelief: boolean;
  itemNames: Record<string, string>;
  /** The application whose material files are shown (and uploaded, while the window may still change them). */
  files?: { applicationId: string; canUpload: boolean };
}) {
  const { t, tx, lang } = useApp();
  return (
    <table className="materials" data-testid="materials">
      <thead>
        <tr>
          <th scope="col">{t('materials.name')}</th>
          <th scope="col">{t('materials.items')}</th>
          <th scope="col">{t('materials.record')}</th>
          {files && <th scope="col">{t('files.column')}</th>}
        </tr>
      </thead>
      <tbody>
        {materials.map((m) => {
          const choice = choices[m.id];
          const error = fieldMessage(problems, `materials.${m.id}`, lang);
          const matched = licencesFor(m, licences);
          const name = `material-${m.id}`;
          return (
            <tr key={m.id} data-material={m.id} className={error ? 'has-error' : ''}>
              <th scope="row">
                {tx(m.name)}
                {m.required ? (
                  <span className="required-mark"> *</span>
                ) : (
                  <span className="muted"> {t('materials.optional')}</span>
                )}
                <div className="tags">
                  {m.deferrable && <span className="tag">{t('materials.deferrable')}</span>}
                  {m.commitment && <span className="tag">{t('materials.commitmentAllowed')}</span>}
                  {m.eLicenceType && (
                    <span className="tag">{t('materials.eLicenceType', { type: m.eLicenceType })}</span>
                  )}
                </div>
              </th>
              <td className="muted small">{m.items.map((i) => itemNames[i] ?? i).join('、')}</td>
              <td>
                {m.status === 'notRequired' && !choice ? (
                  <span className="muted">{t('materials.notRequired')}</span>
                ) : (
                  <fieldset className="choice-col" aria-label={tx(m.name)}>
                    <label className="choice">
                      <input
                        type="radio"
                        name={name}
                        checked={choice?.status === 'provided'}
                        onChange={() => onChange(m.id, { status: 'provided' })}
                      />
                      {t('materials.provided')}
                    </label>
                    {matched.map((l) => (
                      <label key={l.id} className="choice licence">
                        <input
                          type="radio"
                          name={name}
                          checked={choice?.status === 'eLicence' && choice.licenceId === l.id}
                          onChange={() => onChange(m.id, { status: 'eLicence', licenceId: l.id })}
                        />
                        {t('materials.eLicence')} <code>{l.signed.licence.number}</code> ·{' '}
                        {l.signed.licence.holderName} ·{' '}
                        {t('materials.validTo', {
                          date: l.signed.licence.validTo ?? t('materials.longTerm'),
                        })}
                      </label>
                    ))}
                    {m.eLicenceType && matched.length === 0 && (
                      <span className="muted small">{t('materials.noLicence')}</span>
                    )}
                    {allowRelief && m.deferrable && (
                      <label className="choice">
                        <input
                          type="radio"
                          name={name}
                          checked={choice?.status === 'deferred'}
                          onChange={() => onChange(m.id, { status: 'deferred' })}
                        />
                        {t('materials.deferred')}
                      </label>
                    )}
                    {allowRelief && m.commitment && (
                      <label className="choice">
                        <input
                          type="radio"
                          name={name}
                          checked={choice?.status === 'commitment'}
                          onChange={() => onChange(m.id, { status: 'commitment' })}
                        />
                        {t('materials.commitment')}
                      </label>
                    )}
                    <label className="choice">
                      <input
                        type="radio"
                        name={name}
                        checked={!choice || choice.status === 'missing'}
                        onChange={() => onChange(m.id, { status: 'missing' })}
                      />
                      {t('materials.missing')}
                    </label>
                    {m.deferral && (
                      <span className={`small deferral-${m.deferral.status}`}>
                        {t(`deferral.${m.deferral.status}`)} ·{' '}
                        {t('materials.dueAt', { date: formatTime(m.deferral.dueAt, false) })}
                      </span>
                    )}
                  </fieldset>
                )}
                <FieldError message={error} />
              </td>
              {files && (
                <td>
                  <MaterialFile
                    applicationId={files.applicationId}
                    material={m}
                    // Shared data, generated forms and earlier results need no file.
                    canUpload={files.canUpload && (m.status !== 'notRequired' || !!choice)}
                  />
                </td>
              )}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** The materials the clerk actually recorded, as the accept/supplement body. */
export function materialInputs(
  choices: Record<string, MaterialChoice>,
  licences: readonly LicenceDoc[],
): MaterialInput[] {
  const out: MaterialInput[] = [];
  for (const [id, c] of Object.entries(choices)) {
    if (c.status === 'missing') continue;
    if (c.status === 'eLicence') {
      const doc = licences.find((l) => l.id === c.licenceId);
      out.push({ id, status: 'eLicence', licenceId: c.licenceId!, ...(doc ? { licence: doc.signed } : {}) });
    } else out.push({ id, status: c.status });
  }
  return out;
}
