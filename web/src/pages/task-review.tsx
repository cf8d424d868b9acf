/**
 * A department's review of one item (实质审查): only the fields this department's items declare,
 * masked by the server where the item does not need them in full, and the item's materials.
 * Decide: approve (result number, optionally a signed e-licence), reject (reason required),
 * ask for a supplement (what is missing, one line each; the window sends one notice), or take
 * back the item's unanswered requests (the item is under review again).
 */
import { useMemo, useState } from 'react';
import type { Application, DepartmentTask, NoticeEntry } from '../api.js';
import { useApp } from '../context.js';
import { Link } from '../app.js';
import {
  ErrorBanner,
  FieldError,
  formatDeadline,
  formatTime,
  Loading,
  Section,
  Tabs,
  TimeBadge,
  useCommand,
  useLoad,
} from '../components/common.js';
import { useCatalogue } from '../components/catalogue.js';
import { StoredMaterialFile } from '../components/material-file.js';
import { codeLabel, PROPERTY_LABELS, type FormTexts } from '../lib/form-labels.js';
import { fieldMessage, problemField, type FieldProblem } from '../lib/problems.js';
import { missingOutputs, OutputInputs, resultText, UpstreamResults } from '../components/item-outputs.js';
import { requestState, type RequestState } from '../lib/supplements.js';

type Labels = Record<string, { zh: string; en: string }>;
/** How a request of this department reads: withdrawn (撤回) and answered are never the same. */
const REQUEST_STATE: Record<RequestState, string> = {
  withdrawn: 'notice.withdrawn',
  resolved: 'notice.resolved',
  noticed: 'review.noticed',
  pending: 'review.pending',
};
/** The bundle's field labels and its form's i18n table (which has the labels of codes). */
interface BundleTexts {
  labels: Labels;
  i18n?: FormTexts['i18n'];
}
const textCache = new Map<string, Promise<BundleTexts>>();

function useBundleTexts(bundleCode: string | undefined): BundleTexts {
  const { api } = useApp();
  const loaded = useLoad(async () => {
    if (!bundleCode) return { labels: {} };
    let p = textCache.get(bundleCode);
    if (!p) {
      p = api.form(bundleCode, {}).then((f) => ({
        labels: Object.fromEntries(
          (f.form.fields as unknown as { id: string; definition: { label: Labels[string] } }[]).map((x) => [
            x.id,
            x.definition.label,
          ]),
        ),
        i18n: f.form.i18n,
      }));
      textCache.set(bundleCode, p);
    }
    return p;
  }, [bundleCode]);
  return loaded.data ?? { labels: {} };
}

/** A payload value; a code shows as its label (`path` is the field, or field.property inside a group). */
function Value({
  value,
  path,
  code,
}: {
  value: unknown;
  path: string;
  code(path: string, v: string): string;
}) {
  const { t, tx } = useApp();
  if (value === undefined || value === null || value === '') return <span className="muted">—</span>;
  if (typeof value === 'boolean') return <>{t(value ? 'common.yes' : 'common.no')}</>;
  if (typeof value === 'string') return <>{code(path, value)}</>;
  if (typeof value === 'number') return <>{value}</>;
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v !== 'object' || v === null))
      return <>{value.map((v) => (typeof v === 'string' ? code(path, v) : String(v))).join('、')}</>;
    return (
      <ol className="nested">
        {value.map((v, i) => (
          <li key={i}>
            <Value value={v} path={path} code={code} />
          </li>
        ))}
      </ol>
    );
  }
  if (typeof value === 'object')
    return (
      <span className="nested-object">
        {Object.entries(value as Record<string, unknown>).map(([k, v]) => (
          <span key={k}>
            {PROPERTY_LABELS[k] ? tx(PROPERTY_LABELS[k]) : k}：
            <Value value={v} path={`${path}.${k}`} code={code} />{' '}
          </span>
        ))}
      </span>
    );
  return <>{String(value)}</>;
}

export function TaskReview({ id }: { id: string }) {
  const { api, t, tx, lang } = useApp();
  const { departmentName, catalogue } = useCatalogue();
  const loaded = useLoad(() => api.task(id), [id]);
  const [fresh, setFresh] = useState<DepartmentTask | null>(null);
  const task = fresh ?? loaded.data;
  const appLoad = useLoad(
    () =>
      task ? api.application(task.applicationId) : Promise.resolve(undefined as Application | undefined),
    [task?.applicationId, task?.status, task?.claimedBy],
  );
  const { labels, i18n } = useBundleTexts(task?.bundleCode);
  const code = (path: string, v: string) => codeLabel({ i18n }, path, v, lang);
  if (loaded.loading && !task) return <Loading />;
  if (loaded.error && !task) return <ErrorBanner error={loaded.error} />;
  if (!task) return null;
  const app = appLoad.data;
  const item = app?.items.find((i) => i.item === task.item);
  const licenceTypes = [
    ...new Set(
      (catalogue?.details[task.bundleCode]?.definition.materials ?? [])
        .map((m) => m.eLicenceType)
        .filter(Boolean) as string[],
    ),
  ];
  const done = task.status !== 'reviewing' && task.status !== 'needs-supplement';
  return (
    <div className="page">
      <div className="page-head">
        <h1>
          {tx(task.itemName)} · <span data-testid="task-number">{task.applicationNumber}</span>
        </h1>
        <div className="card-actions">
          <span className={`status item-${task.status}`}>{t(`item.${task.status}`)}</span>
          {!done && <TimeBadge status={task.timeStatus} remaining={task.remainingWorkingDays} />}
          <Link href="/inbox">{t('common.backToList')}</Link>
        </div>
      </div>
      <Section title={t('review.facts')}>
        <dl className="facts">
          <dt>{t('detail.department')}</dt>
          <dd>{departmentName(task.department)}</dd>
          <dt>{t('inbox.received')}</dt>
          <dd>{formatTime(task.createdAt)}</dd>
          <dt>{t('app.deadline')}</dt>
          <dd>{formatDeadline(task.deadline)}</dd>
          {task.openSpecialStep && (
            <>
              <dt>{t('review.specialStep')}</dt>
              <dd>
                {t('review.specialStepLimit', {
                  name: task.openSpecialStep.name,
                  n: task.openSpecialStep.limitDays,
                })}
              </dd>
            </>
          )}
          <dt>{t('app.applicant')}</dt>
          <dd>{app ? `${app.applicant.name} · ${app.applicant.idNumber}` : '…'}</dd>
          <dt>{t('inbox.claimedBy')}</dt>
          <dd>{task.claimedBy ?? '—'}</dd>
          {item?.resultNumber && (
            <>
              <dt>{t('detail.result')}</dt>
              <dd data-testid="result">{resultText(item, tx)}</dd>
            </>
          )}
        </dl>
      </Section>
      {task.upstreamResults && task.upstreamResults.length > 0 && (
        <Section title={t('review.upstream')}>
          <p className="hint">{t('review.upstreamHint')}</p>
          <UpstreamResults results={task.upstreamResults} />
        </Section>
      )}
      <Section title={t('review.fields')}>
        <p className="hint">{t('review.fieldsHint')}</p>
        <table className="kv" data-testid="payload">
          <tbody>
            {Object.entries(task.payload ?? {}).map(([k, v]) => (
              <tr key={k} data-field={k}>
                <th scope="row">{labels[k] ? tx(labels[k]) : k}</th>
                <td>
                  <Value value={v} path={k} code={code} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      <Section title={t('review.materials')}>
        <ul className="material-status">
          {(task.materials ?? []).map((m) => {
            // The task lists the item's materials; the case (as this department may see it) has their files.
            const file = app?.materials.find((x) => x.id === m.id)?.file;
            return (
              <li key={m.id} data-material={m.id}>
                {tx(m.name)} — <strong>{t(`mstatus.${m.status}`)}</strong>
                {file && app && (
                  <>
                    {' · '}
                    <StoredMaterialFile applicationId={app.id} material={m} file={file} />
                  </>
                )}
              </li>
            );
          })}
        </ul>
      </Section>
      {!done && (
        <Decide task={task} licenceTypes={licenceTypes} labels={labels} onDone={(x) => setFresh(x)} />
      )}
      {item?.postCheck && !item.postCheck.result && (
        <PostCheck task={task} due={item.postCheck.dueAt} onDone={(x) => setFresh(x)} />
      )}
      {app && app.requests.length > 0 && (
        <Section title={t('review.requests')}>
          {app.requests.map((r) => (
            <p key={r.id} className="small" data-request={requestState(r)}>
              {formatTime(r.at)} · {r.entries.map((e) => e.problem).join('；')} ·{' '}
              {t(REQUEST_STATE[requestState(r)])}
              {r.withdrawnAt !== undefined && ` ${formatTime(r.withdrawnAt)}`}
            </p>
          ))}
        </Section>
      )}
      <p className="muted small">{t('review.scopeNote')}</p>
    </div>
  );
}

interface EntryRow {
  target: string;
  problem: string;
  requirement: string;
}

function Decide({
  task,
  licenceTypes,
  labels,
  onDone,
}: {
  task: DepartmentTask;
  licenceTypes: string[];
  labels: Labels;
  onDone(t: DepartmentTask): void;
}) {
  const { api, t, tx, lang, session } = useApp();
  const { busy, error, run } = useCommand();
  const [mode, setMode] = useState<'approve' | 'reject' | 'supplement'>('approve');
  const [resultNumber, setResultNumber] = useState('');
  const [outputs, setOutputs] = useState<Record<string, string>>({});
  const [licenceType, setLicenceType] = useState('');
  const [validTo, setValidTo] = useState('');
  const [comment, setComment] = useState('');
  const [reason, setReason] = useState('');
  const [entries, setEntries] = useState<EntryRow[]>([{ target: '', problem: '', requirement: '' }]);
  const [local, setLocal] = useState<FieldProblem[]>([]);
  const problems = [...(error?.fieldErrors ?? []), ...local];
  const mine = !task.claimedBy || task.claimedBy === session?.user.userId;
  const targets = useMemo(
    () => [
      ...(task.materials ?? []).map((m) => ({
        value: `m:${m.id}`,
        label: `${t('review.material')}：${tx(m.name)}`,
      })),
      ...Object.keys(task.payload ?? {}).map((k) => ({
        value: `f:${k}`,
        label: `${t('review.field')}：${labels[k] ? tx(labels[k]) : k}`,
      })),
    ],
    [task, labels, t, tx],
  );
  if (task.status === 'needs-supplement')
    return (
      <Section title={t('review.decide')}>
        <ErrorBanner error={error} />
        <p>{t('review.waitingSupplement')}</p>
        <div className="actions">
          <button
            type="button"
            disabled={busy}
            data-testid="withdraw-supplement"
            onClick={() => run(async () => onDone(await api.withdrawSupplement(task.id)))}
          >
            {t('review.withdrawSupplement')}
          </button>
          <span className="hint">{t('review.withdrawSupplementHint')}</span>
        </div>
      </Section>
    );
  const claim = () => run(async () => onDone(await api.claim(task.id)));
  const submit = () => {
    setLocal([]);
    if (mode === 'reject' && !reason.trim()) {
      setLocal([
        { field: 'reason', message: { zh: '请填写不予许可的理由', en: 'give the reason for the rejection' } },
      ]);
      return;
    }
    const unfilled = mode === 'approve' ? missingOutputs(task.outputs ?? [], outputs) : [];
    if (unfilled.length) {
      setLocal(unfilled);
      return;
    }
    if (mode === 'supplement') {
      const filled = entries.filter((e) => e.problem.trim() || e.target);
      const missing = filled
        .map((e, i) =>
          !e.problem.trim()
            ? {
                field: `entries[${i}].problem`,
                message: { zh: '请说明缺少或需要更正的内容', en: 'say what is missing or wrong' },
              }
            : null,
        )
        .filter(Boolean) as FieldProblem[];
      if (!filled.length)
        missing.push({ field: 'entries', message: { zh: '至少列出一项', en: 'list at least one entry' } });
      if (missing.length) {
        setLocal(missing);
        return;
      }
    }
    return run(async () => {
      let next: DepartmentTask;
      if (mode === 'approve')
        next = await api.approve(task.id, {
          ...(resultNumber.trim() ? { resultNumber: resultNumber.trim() } : {}),
          ...(task.outputs?.length
            ? { outputs: Object.fromEntries(task.outputs.map((o) => [o.key, outputs[o.key]?.trim() ?? ''])) }
            : {}),
          ...(licenceType ? { licence: { typeCode: licenceType, ...(validTo ? { validTo } : {}) } } : {}),
          ...(comment.trim() ? { comment: comment.trim() } : {}),
        });
      else if (mode === 'reject') next = await api.reject(task.id, reason.trim());
      else {
        const body: NoticeEntry[] = entries
          .filter((e) => e.problem.trim())
          .map((e) => ({
            problem: e.problem.trim(),
            ...(e.requirement.trim() ? { requirement: e.requirement.trim() } : {}),
            ...(e.target.startsWith('m:') ? { materialId: e.target.slice(2) } : {}),
            ...(e.target.startsWith('f:') ? { fieldId: e.target.slice(2) } : {}),
          }));
        next = await api.requestSupplement(task.id, body);
      }
      onDone(next);
    });
  };
  return (
    <Section title={t('review.decide')}>
      <ErrorBanner error={error} showFields={false} />
      {!task.claimedBy && (
        <div className="actions">
          <button type="button" className="primary" onClick={claim} disabled={busy} data-testid="claim">
            {t('inbox.claim')}
          </button>
          <span className="hint">{t('review.claimHint')}</span>
        </div>
      )}
      {task.claimedBy && !mine && (
        <p className="warn">{t('review.claimedByOther', { user: task.claimedBy })}</p>
      )}
      {task.claimedBy && mine && (
        <>
          <Tabs
            keys={['approve', 'reject', 'supplement'] as const}
            current={mode}
            onSelect={setMode}
            label={(m) => t(`review.${m}`)}
          />
          {mode === 'approve' && task.outputs && task.outputs.length > 0 && (
            <p className="hint">{t('review.outputsHint')}</p>
          )}
          {mode === 'approve' && (
            <div className="grid2">
              <OutputInputs
                declared={task.outputs ?? []}
                values={outputs}
                problems={problems}
                onChange={(key, value) => setOutputs({ ...outputs, [key]: value })}
              />
              <label>
                {t('review.resultNumber')}
                <input
                  name="resultNumber"
                  value={resultNumber}
                  onChange={(e) => setResultNumber(e.target.value)}
                  placeholder={t('review.resultNumberHint')}
                />
                <FieldError message={fieldMessage(problems, 'resultNumber', lang)} />
              </label>
              <label>
                {t('review.licenceType')}
                <select
                  name="licenceType"
                  value={licenceType}
                  onChange={(e) => setLicenceType(e.target.value)}
                >
                  <option value="">{t('review.noLicence')}</option>
                  {licenceTypes.map((x) => (
                    <option key={x} value={x}>
                      {x}
                    </option>
                  ))}
                </select>
                <FieldError message={fieldMessage(problems, 'licence', lang)} />
              </label>
              {licenceType && (
                <label>
                  {t('review.validTo')}
                  <input
                    type="date"
                    name="validTo"
                    value={validTo}
                    onChange={(e) => setValidTo(e.target.value)}
                  />
                </label>
              )}
              <label>
                {t('review.comment')}
                <input name="comment" value={comment} onChange={(e) => setComment(e.target.value)} />
              </label>
            </div>
          )}
          {mode === 'reject' && (
            <label>
              {t('review.reason')} <span className="required-mark">*</span>
              <textarea
                name="reason"
                rows={3}
                maxLength={2000}
                value={reason}
                onChange={(e) => setReason(e.target.value)}
                aria-invalid={!!fieldMessage(problems, 'reason', lang)}
              />
              <FieldError message={fieldMessage(problems, 'reason', lang)} />
            </label>
          )}
          {mode === 'supplement' && (
            <div>
              <p className="hint">{t('review.supplementHint')}</p>
              <FieldError
                message={
                  fieldMessage(problems, 'entries', lang) &&
                  !problems.some((p) => problemField(p).startsWith('entries['))
                    ? fieldMessage(problems, 'entries', lang)
                    : undefined
                }
              />
              {entries.map((e, i) => (
                <div key={i} className="entry-row" data-entry={i}>
                  <select
                    aria-label={t('review.about')}
                    value={e.target}
                    onChange={(ev) =>
                      setEntries(entries.map((x, j) => (j === i ? { ...x, target: ev.target.value } : x)))
                    }
                  >
                    <option value="">{t('review.general')}</option>
                    {targets.map((o) => (
                      <option key={o.value} value={o.value}>
                        {o.label}
                      </option>
                    ))}
                  </select>
                  <input
                    aria-label={t('print.problem')}
                    placeholder={t('print.problem')}
                    name={`problem-${i}`}
                    maxLength={2000}
                    value={e.problem}
                    onChange={(ev) =>
                      setEntries(entries.map((x, j) => (j === i ? { ...x, problem: ev.target.value } : x)))
                    }
                  />
                  <input
                    aria-label={t('print.requirement')}
                    placeholder={t('print.requirement')}
                    maxLength={2000}
                    value={e.requirement}
                    onChange={(ev) =>
                      setEntries(
                        entries.map((x, j) => (j === i ? { ...x, requirement: ev.target.value } : x)),
                      )
                    }
                  />
                  <button
                    type="button"
                    className="link"
                    onClick={() =>
                      setEntries(entries.length > 1 ? entries.filter((_, j) => j !== i) : entries)
                    }
                    aria-label={t('common.remove')}
                  >
                    ×
                  </button>
                  <FieldError message={fieldMessage(problems, `entries[${i}]`, lang)} />
                </div>
              ))}
              <button
                type="button"
                className="link"
                onClick={() => setEntries([...entries, { target: '', problem: '', requirement: '' }])}
              >
                + {t('review.addEntry')}
              </button>
            </div>
          )}
          <div className="actions">
            <button
              type="button"
              className={mode === 'reject' ? 'danger' : 'primary'}
              onClick={submit}
              disabled={busy}
              data-testid="decide"
            >
              {busy ? t('common.working') : t(`review.do.${mode}`)}
            </button>
          </div>
        </>
      )}
    </Section>
  );
}

function PostCheck({
  task,
  due,
  onDone,
}: {
  task: DepartmentTask;
  due: number;
  onDone(t: DepartmentTask): void;
}) {
  const { api, t } = useApp();
  const { busy, error, run } = useCommand();
  return (
    <Section title={t('review.postCheck')}>
      <p>{t('review.postCheckHint', { date: formatTime(due, false) })}</p>
      <ErrorBanner error={error} />
      <div className="actions">
        {(['confirmed', 'unverifiable', 'false'] as const).map((r) => (
          <button
            key={r}
            type="button"
            className={r === 'false' ? 'danger' : ''}
            disabled={busy}
            onClick={() => run(async () => onDone(await api.postCheck(task.id, r)))}
          >
            {t(`review.check.${r}`)}
          </button>
        ))}
      </div>
    </Section>
  );
}
