/**
 * The clerk's window: one application from the first question to acceptance.
 * 1 bundle → 2 applicant and situation (情形引导, with the personalised guide) → 3 the unified
 * form (一表申请, JSON Forms) → 4 materials (一套材料: e-licences matched, 容缺, 告知承诺) and
 * the decision: accept (受理), return with one complete notice (一次性告知), or refuse.
 * The form data stays in the page: the server hands clerks masked copies of sensitive fields.
 */
import { useMemo, useRef, useState } from 'react';
import type { UISchemaElement } from '@jsonforms/core';
import type {
  Applicant,
  Application,
  BundleDetail,
  BundleSummary,
  CommitmentInput,
  LicenceDoc,
  MergeResult,
} from '../api.js';
import { useApp } from '../context.js';
import { ErrorBanner, FieldError, Loading, Section, useCommand, useLoad } from '../components/common.js';
import { LiveForm } from '../components/live-form.js';
import { windowMayUpload } from '../components/material-file.js';
import {
  initialChoices,
  materialInputs,
  MaterialsChecklist,
  type MaterialChoice,
} from '../components/materials.js';
import { cells, renderers } from '../../../forms/src/renderers/index.js';
import { formTranslator, localiseSchema } from '../lib/form-labels.js';
import { fieldMessage, formErrors, type FieldProblem } from '../lib/problems.js';
import { createValidator } from '../lib/validator.js';
import { applicantIdNumberProblem } from '../../../forms/src/validate/formats/applicant-id.js';
import { commitmentText, correctionEntries } from '../lib/notices.js';
import { navigate } from '../router.js';

type Step = 1 | 2 | 3 | 4;

interface Draft {
  bundle?: BundleSummary;
  detail?: BundleDetail;
  /** The answer-independent unified form (schema, UI schema, i18n). */
  form?: MergeResult;
  /** The guide for the current answers (items, fields, materials). */
  guide?: MergeResult;
  applicant: Applicant;
  answers: Record<string, unknown>;
  data: Record<string, unknown>;
  application?: Application;
  /** The applicant as last saved with the draft: a correction made since goes with the next update. */
  savedApplicant?: Applicant;
}

export function NewApplication() {
  const { t, tx } = useApp();
  const [step, setStep] = useState<Step>(1);
  const [draft, setDraft] = useState<Draft>({
    applicant: { kind: 'person', name: '', idNumber: '' },
    answers: {},
    data: {},
  });
  const update = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const steps = ['wizard.bundle', 'wizard.situation', 'wizard.form', 'wizard.materials'];
  return (
    <div className="page">
      <h1>{t('nav.newApplication')}</h1>
      <ol className="steps" aria-label={t('wizard.steps')}>
        {steps.map((key, i) => (
          <li
            key={key}
            className={step === i + 1 ? 'current' : step > i + 1 ? 'done' : ''}
            aria-current={step === i + 1 ? 'step' : undefined}
          >
            <span className="n">{i + 1}</span> {t(key)}
          </li>
        ))}
      </ol>
      {step === 1 && (
        <BundleStep
          onPick={(bundle, detail, form) => (
            update({ bundle, detail, form, answers: {}, data: {}, guide: undefined }),
            setStep(2)
          )}
        />
      )}
      {step === 2 && draft.detail && draft.form && (
        <SituationStep
          draft={draft}
          onBack={() => setStep(1)}
          onNext={(patch) => (update(patch), setStep(3))}
        />
      )}
      {step === 3 && draft.form && (
        <FormStep
          draft={draft}
          onBack={(patch) => (update(patch), setStep(2))}
          onSaved={(patch) => update(patch)}
          onNext={(patch) => (update(patch), setStep(4))}
        />
      )}
      {step === 4 && draft.application && (
        <AcceptPanel
          app={draft.application}
          bundleName={tx(draft.bundle!.name)}
          applicantName={draft.applicant.name}
          holderId={draft.applicant.idNumber}
        />
      )}
    </div>
  );
}

function BundleStep({ onPick }: { onPick(b: BundleSummary, d: BundleDetail, f: MergeResult): void }) {
  const { api, t, tx } = useApp();
  const bundles = useLoad(() => api.bundles(), []);
  const { busy, error, run } = useCommand();
  if (bundles.loading) return <Loading />;
  if (bundles.error) return <ErrorBanner error={bundles.error} />;
  const active = (bundles.data ?? []).filter((b) => b.status === 'active');
  return (
    <Section title={t('wizard.pickBundle')}>
      <ErrorBanner error={error} />
      <div className="bundle-grid">
        {active.map((b) => (
          <button
            key={b.code}
            type="button"
            className="bundle-card"
            data-bundle={b.code}
            disabled={busy}
            onClick={() =>
              run(async () => {
                const [detail, form] = await Promise.all([api.bundle(b.code), api.form(b.code, {})]);
                onPick(b, detail, form);
              })
            }
          >
            <strong>{tx(b.name)}</strong>
            <span className="muted small">
              {t('wizard.itemsCount', { n: b.items.length })} · {t('wizard.promised', { n: b.promisedDays })}
            </span>
            <span className="small">{b.items.map((i) => tx(i.name)).join('、')}</span>
          </button>
        ))}
      </div>
      {busy && <Loading />}
    </Section>
  );
}

/** Applicant, situation questions (JSON Forms over the situation part of the schema) and the guide. */
function SituationStep({
  draft,
  onBack,
  onNext,
}: {
  draft: Draft;
  onBack(): void;
  onNext(patch: Partial<Draft>): void;
}) {
  const { api, t, tx, lang } = useApp();
  const [applicant, setApplicant] = useState<Applicant>(draft.applicant);
  const [answers, setAnswers] = useState<Record<string, unknown>>(draft.answers);
  /** The answers on the screen, ahead of `answers` by JSON Forms' 10 ms report. */
  const onScreen = useRef<unknown>(draft.answers);
  const given = () => (onScreen.current ?? {}) as Record<string, unknown>;
  const [guide, setGuide] = useState<MergeResult | undefined>(draft.guide);
  const [guideFor, setGuideFor] = useState<string>(draft.guide ? JSON.stringify(draft.answers) : '');
  const { busy, error, setError, run } = useCommand();
  const [missing, setMissing] = useState<FieldProblem[]>([]);
  const ajv = useMemo(() => createValidator(() => lang), [lang]);
  const form = draft.form!;
  const schema = (form.schema.properties as Record<string, object>).situation as object;
  const uischema = useMemo(() => {
    const group = (form.uischema.elements[0]!.elements ?? []).map((c) => ({
      ...c,
      scope: c.scope.replace('#/properties/situation', '#'),
    }));
    return { type: 'VerticalLayout', elements: group } as unknown as UISchemaElement;
  }, [form]);
  const translate = useMemo(
    () => formTranslator({ i18n: form.form.i18n, questions: draft.detail!.definition.questions }, lang),
    [form, draft.detail, lang],
  );
  const problems = [...(error?.fieldErrors ?? []), ...missing];

  const check = (): FieldProblem[] => {
    const out: FieldProblem[] = [];
    const req = { zh: '为必填项', en: 'is required' };
    if (!applicant.name.trim()) out.push({ field: 'applicant.name', message: req });
    if (!applicant.idNumber.trim()) out.push({ field: 'applicant.idNumber', message: req });
    else {
      // The server's rule, told here so the number is fixed before the form is filled.
      const wrong = applicantIdNumberProblem(applicant.kind, applicant.idNumber);
      if (wrong) out.push({ field: 'applicant.idNumber', message: wrong });
    }
    for (const q of draft.detail!.definition.questions) {
      if (given()[q.id] === undefined && q.type !== 'multiChoice')
        out.push({
          field: `situation.${q.id}`,
          label: q.label,
          message: { zh: '请回答', en: 'please answer' },
        });
    }
    return out;
  };
  const loadGuide = () =>
    run(async () => {
      const found = check().filter((p) => p.field.startsWith('situation.'));
      setMissing(found);
      if (found.length) return undefined;
      const asked = given();
      const g = await api.form(draft.bundle!.code, asked);
      setGuide(g);
      setGuideFor(JSON.stringify(asked));
      return g;
    });
  const next = async () => {
    const found = check();
    setMissing(found);
    setError(null);
    if (found.length) return;
    let g = guide;
    if (!g || guideFor !== JSON.stringify(given())) g = await loadGuide();
    if (g) onNext({ applicant, answers: given(), guide: g });
  };
  const set = (patch: Partial<Applicant>) => setApplicant((a) => ({ ...a, ...patch }));
  return (
    <>
      <Section title={t('wizard.applicant')}>
        <div className="grid2">
          <fieldset className="choice-row">
            <legend>{t('applicant.kind')}</legend>
            {(['person', 'organisation'] as const).map((k) => (
              <label key={k} className="choice">
                <input
                  type="radio"
                  name="applicant-kind"
                  checked={applicant.kind === k}
                  onChange={() => set({ kind: k })}
                />
                {t(`applicant.${k}`)}
              </label>
            ))}
          </fieldset>
          <label>
            {t('applicant.name')} <span className="required-mark">*</span>
            <input
              name="applicant.name"
              maxLength={200}
              value={applicant.name}
              onChange={(e) => set({ name: e.target.value })}
              aria-invalid={!!fieldMessage(problems, 'applicant.name', lang)}
            />
            <FieldError message={fieldMessage(problems, 'applicant.name', lang)} />
          </label>
          <label>
            {t(applicant.kind === 'person' ? 'applicant.idNumber' : 'applicant.creditCode')}{' '}
            <span className="required-mark">*</span>
            <input
              name="applicant.idNumber"
              maxLength={64}
              value={applicant.idNumber}
              onChange={(e) => set({ idNumber: e.target.value.trim().toUpperCase() })}
              aria-invalid={!!fieldMessage(problems, 'applicant.idNumber', lang)}
            />
            <FieldError message={fieldMessage(problems, 'applicant.idNumber', lang)} />
          </label>
          <label>
            {t('applicant.phone')}
            <input
              name="applicant.phone"
              inputMode="tel"
              maxLength={32}
              value={applicant.phone ?? ''}
              onChange={(e) => set({ phone: e.target.value || undefined })}
            />
          </label>
          <label>
            {t('applicant.account')}
            <input
              name="applicant.userId"
              maxLength={64}
              value={applicant.userId ?? ''}
              onChange={(e) => set({ userId: e.target.value.trim() || undefined })}
              placeholder={t('applicant.accountHint')}
            />
          </label>
        </div>
      </Section>
      <Section title={t('wizard.situation')}>
        <div className="jsonforms" data-testid="situation-form">
          <LiveForm
            latest={onScreen}
            schema={schema}
            uischema={uischema}
            data={answers}
            renderers={renderers}
            cells={cells}
            ajv={ajv as never}
            validationMode="NoValidation"
            i18n={{ locale: lang, translate: translate as never }}
            onChange={({ data }) => setAnswers(data ?? {})}
          />
        </div>
        {missing.filter((p) => p.field.startsWith('situation.')).length > 0 && (
          <div className="error-banner" role="alert">
            <strong>{t('wizard.answerAll')}</strong>
            <ul>
              {missing
                .filter((p) => p.field.startsWith('situation.'))
                .map((p) => (
                  <li key={p.field}>{p.label ? tx(p.label) : p.field}</li>
                ))}
            </ul>
          </div>
        )}
        <ErrorBanner error={error} />
        <div className="actions">
          <button type="button" onClick={onBack}>
            {t('common.back')}
          </button>
          <button type="button" onClick={loadGuide} disabled={busy}>
            {t('wizard.showGuide')}
          </button>
          <button type="button" className="primary" onClick={next} disabled={busy}>
            {busy ? t('common.working') : t('wizard.toForm')}
          </button>
        </div>
      </Section>
      {guide && guideFor === JSON.stringify(answers) && <Guide guide={guide} />}
    </>
  );
}

/** 个性化办事指南: the items, fields and materials that apply to these answers, told once. */
function Guide({ guide }: { guide: MergeResult }) {
  const { t, tx } = useApp();
  return (
    <Section title={t('wizard.guide')}>
      <div className="grid2">
        <div>
          <h3>{t('wizard.guideItems', { n: guide.items.length })}</h3>
          <ul>
            {guide.items.map((i) => (
              <li key={i.code}>
                {tx(i.name)}{' '}
                <span className="muted small">({t('wizard.promised', { n: i.promisedDays })})</span>
              </li>
            ))}
          </ul>
        </div>
        <div>
          <h3>
            {t('wizard.guideMaterials', {
              n: guide.materials.filter(
                (m) => m.source !== 'generated' && m.source !== 'shared' && m.source !== 'output',
              ).length,
            })}
          </h3>
          <ul>
            {guide.materials.map((m) => (
              <li key={m.id}>
                {tx(m.name)}{' '}
                <span className="muted small">
                  {m.source === 'generated' || m.source === 'shared' || m.source === 'output'
                    ? t('materials.notRequired')
                    : t(`materials.form.${m.form}`)}
                  {m.deferrable ? ` · ${t('materials.deferrable')}` : ''}
                  {m.commitment ? ` · ${t('materials.commitmentAllowed')}` : ''}
                </span>
              </li>
            ))}
          </ul>
        </div>
      </div>
    </Section>
  );
}

/** The unified form: every group after the questions, with SHOW rules over the answers. */
function FormStep({
  draft,
  onBack,
  onNext,
  onSaved,
}: {
  draft: Draft;
  /** Back to the questions, with the form as it is on the screen. */
  onBack(patch: Partial<Draft>): void;
  onNext(patch: Partial<Draft>): void;
  onSaved(patch: Partial<Draft>): void;
}) {
  const { api, t, lang } = useApp();
  const form = draft.form!;
  const [data, setData] = useState<Record<string, unknown>>(() => ({
    ...draft.data,
    ...answeredFields(form, draft.answers),
    situation: draft.answers,
  }));
  /** The form on the screen, ahead of `data` by JSON Forms' 10 ms report. */
  const onScreen = useRef<unknown>(data);
  const fieldsOnScreen = () => {
    const { situation: _s, ...fields } = (onScreen.current ?? {}) as Record<string, unknown>;
    return fields;
  };
  const [mode, setMode] = useState<'ValidateAndHide' | 'ValidateAndShow'>('ValidateAndHide');
  const [clientErrors, setClientErrors] = useState(0);
  const { busy, error, run } = useCommand();
  const ajv = useMemo(() => createValidator(() => lang), [lang]);
  const uischema = useMemo(
    () => ({ ...form.uischema, elements: form.uischema.elements.slice(1) }) as unknown as UISchemaElement,
    [form],
  );
  const schema = useMemo(() => localiseSchema(form.schema, lang) as object, [form, lang]);
  const translate = useMemo(
    () => formTranslator({ i18n: form.form.i18n, questions: draft.detail!.definition.questions }, lang),
    [form, draft.detail, lang],
  );
  const serverErrors = useMemo(() => formErrors(error?.fieldErrors ?? [], lang), [error, lang]);
  const next = () => {
    setMode('ValidateAndShow');
    return run(async () => {
      const fields = fieldsOnScreen();
      const { applicant } = draft;
      let app = draft.application;
      if (!app)
        app = await api.createApplication({
          bundleCode: draft.bundle!.code,
          answers: draft.answers,
          applicant,
          data: fields,
        });
      else {
        const corrected = JSON.stringify(applicant) !== JSON.stringify(draft.savedApplicant);
        app = await api.updateApplication(app.id, {
          answers: draft.answers,
          data: fields,
          ...(corrected ? { applicant } : {}),
        });
      }
      // Saved as a draft: a failed check below keeps it, and the next try edits the same case.
      onSaved({ application: app, data: fields, savedApplicant: applicant });
      app = await api.submit(app.id);
      onNext({ application: app, data: fields });
    });
  };
  return (
    <Section title={t('wizard.form')}>
      <p className="hint">{t('wizard.formHint')}</p>
      <div className="jsonforms unified-form" data-testid="unified-form">
        <LiveForm
          latest={onScreen}
          schema={schema}
          uischema={uischema}
          data={data}
          renderers={renderers}
          cells={cells}
          ajv={ajv as never}
          // The server's answer is authoritative: while it stands, only its messages show.
          validationMode={serverErrors.length ? 'ValidateAndHide' : mode}
          additionalErrors={serverErrors}
          i18n={{ locale: lang, translate: translate as never }}
          onChange={({ data: d, errors }) => {
            setData(d ?? {});
            setClientErrors((errors ?? []).length);
          }}
        />
      </div>
      {mode === 'ValidateAndShow' && clientErrors > 0 && !error && (
        <p className="warn">{t('wizard.clientErrors', { n: clientErrors })}</p>
      )}
      <ErrorBanner error={error} />
      <div className="actions">
        <button
          type="button"
          onClick={() => onBack({ data: fieldsOnScreen() })}
          disabled={!!draft.application && draft.application.status !== 'draft'}
        >
          {t('common.back')}
        </button>
        <button type="button" className="primary" onClick={next} disabled={busy} data-testid="submit-form">
          {busy ? t('common.working') : t('wizard.submit')}
        </button>
      </div>
    </Section>
  );
}

/** Fields that share a question's id take its answer: the form does not ask them again. */
function answeredFields(form: MergeResult, answers: Record<string, unknown>): Record<string, unknown> {
  const fields = form.schema.properties as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(answers).filter(([id, v]) => id !== 'situation' && id in fields && v !== undefined),
  );
}

/**
 * Materials and the front-desk decision for a submitted application. `holderId` is the
 * applicant's full ID number as typed at the window (the server only returns masked copies);
 * without it the e-licence list is not searched.
 */
export function AcceptPanel({
  app,
  bundleName,
  applicantName,
  holderId,
}: {
  app: Application;
  bundleName: string;
  applicantName: string;
  holderId?: string;
}) {
  const { api, t, tx, lang } = useApp();
  const canSearch = !!holderId && !holderId.includes('*');
  const licences = useLoad(
    () => (canSearch ? api.licences(holderId!) : Promise.resolve([] as LicenceDoc[])),
    [holderId],
  );
  const [choices, setChoices] = useState<Record<string, MaterialChoice> | null>(null);
  const [signer, setSigner] = useState(applicantName);
  const [signed, setSigned] = useState(false);
  const [deferralDays, setDeferralDays] = useState(10);
  const [notes, setNotes] = useState('');
  const [refuseReason, setRefuseReason] = useState('');
  const [local, setLocal] = useState<FieldProblem[]>([]);
  const { busy, error, run } = useCommand();
  if (licences.loading) return <Loading label={t('materials.matching')} />;
  const held: LicenceDoc[] = licences.data ?? [];
  const current = choices ?? initialChoices(app.materials, held);
  const itemNames = Object.fromEntries(app.items.map((i) => [i.item, tx(i.name)]));
  const deferred = app.materials.filter((m) => current[m.id]?.status === 'deferred');
  const committed = app.materials.filter((m) => current[m.id]?.status === 'commitment');
  // One signed commitment per kind that has materials: deferred ones (容缺) and proofs replaced by a promise (告知承诺).
  const commitments: CommitmentInput[] = (
    [
      ['deferral', deferred],
      ['proof', committed],
    ] as const
  )
    .filter(([, materials]) => materials.length)
    .map(([kind, materials]) => ({
      kind,
      materials: materials.map((m) => m.id),
      signer,
      text: commitmentText(kind, lang, {
        bundle: bundleName,
        applicant: applicantName,
        materials: materials.map((m) => tx(m.name)),
        days: deferralDays,
      }),
    }));
  const problems = [...(error?.fieldErrors ?? []), ...local];

  const accept = () => {
    const mine: FieldProblem[] = [];
    if (commitments.length && !signed)
      mine.push({
        field: 'commitments',
        message: {
          zh: '请申请人签署承诺书后勾选确认',
          en: 'have the applicant sign the commitment, then tick the box',
        },
      });
    if (commitments.length && !signer.trim())
      mine.push({ field: 'signer', message: { zh: '请填写签署人', en: 'enter who signs' } });
    setLocal(mine);
    if (mine.length) return;
    return run(async () => {
      const accepted = await api.accept(app.id, {
        materials: materialInputs(current, held),
        ...(commitments.length ? { commitments, deferralDays } : {}),
      });
      navigate(`/clerk/applications/${encodeURIComponent(accepted.id)}?accepted=1`);
    });
  };
  const giveBack = () =>
    run(async () => {
      const entries = correctionEntries(
        app.materials.filter(
          (m) =>
            m.status !== 'notRequired' && (current[m.id]?.status ?? 'missing') === 'missing' && m.required,
        ),
        notes,
        lang,
      );
      if (!entries.length) {
        setLocal([
          { field: 'notes', message: { zh: '请列出需要补正的内容', en: 'list what must be corrected' } },
        ]);
        return;
      }
      const returned = await api.returnForCorrection(app.id, entries);
      navigate(`/print/notice/${encodeURIComponent(returned.id)}`);
    });
  const refuse = () => {
    if (!refuseReason.trim()) {
      setLocal([
        { field: 'reason', message: { zh: '请填写不予受理的理由', en: 'give the reason for refusing' } },
      ]);
      return;
    }
    setLocal([]);
    return run(async () => {
      const refused = await api.refuse(app.id, refuseReason.trim());
      navigate(`/clerk/applications/${encodeURIComponent(refused.id)}`);
    });
  };
  return (
    <>
      <Section title={`${t('wizard.materials')} · ${app.number}`}>
        <p className="hint">
          {!canSearch
            ? t('materials.noHolder')
            : held.length
              ? t('materials.licencesFound', { n: held.length })
              : t('materials.noLicences')}
        </p>
        {licences.error && <ErrorBanner error={licences.error} />}
        <MaterialsChecklist
          materials={app.materials}
          choices={current}
          licences={held}
          onChange={(id, c) => (setChoices({ ...current, [id]: c }), setLocal([]))}
          problems={problems}
          allowRelief
          itemNames={itemNames}
          files={{ applicationId: app.id, canUpload: windowMayUpload(app.status) }}
        />
      </Section>
      {commitments.length > 0 && (
        <Section title={t('commitment.title')}>
          {commitments.map((c) => (
            <div key={c.kind} className="commitment" data-kind={c.kind}>
              <h3>{t(`commitment.${c.kind}`)}</h3>
              <pre className="commitment-text">{c.text}</pre>
            </div>
          ))}
          <div className="grid2">
            {deferred.length > 0 && (
              <label>
                {t('commitment.days')}
                <input
                  type="number"
                  min={1}
                  max={60}
                  value={deferralDays}
                  onChange={(e) => setDeferralDays(Math.max(1, Math.min(60, Number(e.target.value) || 1)))}
                />
              </label>
            )}
            <label>
              {t('commitment.signer')}
              <input
                name="signer"
                maxLength={200}
                value={signer}
                onChange={(e) => setSigner(e.target.value)}
              />
              <FieldError message={fieldMessage(problems, 'signer', lang)} />
            </label>
          </div>
          <label className="choice">
            <input
              type="checkbox"
              name="signed"
              checked={signed}
              onChange={(e) => (setSigned(e.target.checked), setLocal([]))}
            />
            {t('commitment.signed')}
          </label>
          <FieldError message={fieldMessage(problems, 'commitments', lang)} />
        </Section>
      )}
      <Section title={t('wizard.decide')}>
        <ErrorBanner error={error} />
        <div className="actions">
          <button type="button" className="primary" onClick={accept} disabled={busy} data-testid="accept">
            {busy ? t('common.working') : t('wizard.accept')}
          </button>
        </div>
        <details>
          <summary>{t('wizard.returnTitle')}</summary>
          <p className="hint">{t('wizard.returnHint')}</p>
          <label>
            {t('wizard.returnNotes')}
            <textarea name="notes" rows={3} value={notes} onChange={(e) => setNotes(e.target.value)} />
          </label>
          <FieldError
            message={fieldMessage(problems, 'notes', lang) ?? fieldMessage(problems, 'entries', lang)}
          />
          <button type="button" onClick={giveBack} disabled={busy}>
            {t('wizard.return')}
          </button>
        </details>
        <details>
          <summary>{t('wizard.refuseTitle')}</summary>
          <label>
            {t('wizard.refuseReason')}
            <textarea
              name="reason"
              rows={2}
              maxLength={2000}
              value={refuseReason}
              onChange={(e) => setRefuseReason(e.target.value)}
              aria-invalid={!!fieldMessage(problems, 'reason', lang)}
            />
          </label>
          <FieldError message={fieldMessage(problems, 'reason', lang)} />
          <button type="button" className="danger" onClick={refuse} disabled={busy}>
            {t('wizard.refuse')}
          </button>
        </details>
      </Section>
    </>
  );
}
