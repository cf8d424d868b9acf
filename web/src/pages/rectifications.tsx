/**
 * 差评整改 for departments and supervisors: the cases the server lets this user see (a department
 * its own, a supervisor the region's), by deadline with their colour, and one case with the step
 * its state and the user's role allow — contact, verify, feed back, revisit; reassign and review
 * an appeal for supervisors. The server's field errors stand next to the fields.
 */
import { useState, type ReactNode } from 'react';
import type { RectificationView } from '../../../engine/src/applications/rectification.js';
import type { Page } from '../api.js';
import { Link } from '../app.js';
import { useApp } from '../context.js';
import {
  ErrorBanner,
  FieldError,
  formatDeadline,
  formatTime,
  Loading,
  Section,
  TimeBadge,
  useCommand,
  useLoad,
} from '../components/common.js';
import { CaseList } from '../components/case-list.js';
import { useCatalogue } from '../components/catalogue.js';
import { fieldMessage, type Text } from '../lib/problems.js';

const STATES = ['assigned', 'verifying', 'rectifying', 'explained', 'appealed', 'fedBack', 'closed'];
const OPEN = new Set(['assigned', 'verifying', 'rectifying', 'explained', 'appealed']);
const path = (id: string, step = '') =>
  `/api/rectifications/${encodeURIComponent(id)}${step ? `/${step}` : ''}`;

export function Rectifications() {
  const { api, t, tx } = useApp();
  const { bundleName, departmentName } = useCatalogue();
  const [status, setStatus] = useState('');
  const list = useLoad(
    () =>
      api.all<RectificationView>((after) =>
        api.request<Page<RectificationView>>(
          'GET',
          `/api/rectifications?${new URLSearchParams({
            limit: '100',
            ...(status ? { status } : {}),
            ...(after ? { after } : {}),
          }).toString()}`,
        ),
      ),
    [status],
  );
  const rows = list.data?.items ?? [];
  return (
    <div className="page">
      <div className="page-head">
        <h1>{tx({ zh: '差评整改', en: 'Bad-review rectification' })}</h1>
        <button type="button" className="link" onClick={list.reload}>
          {t('common.refresh')}
        </button>
      </div>
      <form className="filters card" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('app.status')}
          <select name="status" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">{t('dash.allRegions')}</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {t(`rect.${s}`)}
              </option>
            ))}
          </select>
        </label>
      </form>
      <Section title={tx({ zh: '整改件（按期限）', en: 'Cases by deadline' })}>
        <CaseList
          load={list}
          rows={rows}
          testId="rectifications"
          columns={[
            'app.number',
            'app.bundle',
            'eval.level',
            'detail.department',
            'app.status',
            'app.deadline',
            'app.timeStatus',
          ]}
          row={(c) => (
            <tr key={c.id} className={`row-${OPEN.has(c.status) ? c.timeStatus : 'none'}`} data-case={c.id}>
              <td>
                <Link href={`/rectifications/${encodeURIComponent(c.id)}`}>{c.applicationNumber}</Link>
              </td>
              <td>{bundleName(c.bundleCode)}</td>
              <td>{t(`eval.level.${c.level}`)}</td>
              <td>{departmentName(c.department)}</td>
              <td>{t(`rect.${c.status}`)}</td>
              <td>{formatDeadline(c.deadline)}</td>
              <td>
                {OPEN.has(c.status) ? (
                  <TimeBadge status={c.timeStatus} remaining={c.remainingWorkingDays} />
                ) : (
                  '—'
                )}
              </td>
            </tr>
          )}
        />
      </Section>
    </div>
  );
}

export function RectificationCase({ id }: { id: string }) {
  const { api, t, tx, session } = useApp();
  const { bundleName, departmentName } = useCatalogue();
  const loaded = useLoad(() => api.request<RectificationView>('GET', path(id)), [id]);
  const [saved, setSaved] = useState<RectificationView | null>(null);
  const c = saved && saved.rev >= (loaded.data?.rev ?? 0) ? saved : loaded.data;
  if (loaded.loading && !c) return <Loading />;
  if (!c) return <ErrorBanner error={loaded.error} />;
  const role = session!.user.role;
  const stamp = (s?: { at: number; by: string }) => (s ? `${formatTime(s.at)} · ${s.by}` : '');
  return (
    <div className="page narrow">
      <div className="page-head">
        <h1>
          {tx({ zh: '差评整改', en: 'Rectification' })} · {c.applicationNumber}
        </h1>
        <Link href="/rectifications">{tx({ zh: '返回列表', en: 'Back to the list' })}</Link>
      </div>
      <Section title={bundleName(c.bundleCode)}>
        <dl className="facts" data-testid="rectification-case" data-status={c.status}>
          <dt>{t('app.status')}</dt>
          <dd>
            <strong>{t(`rect.${c.status}`)}</strong>
          </dd>
          <dt>{t('eval.level')}</dt>
          <dd>
            {t(`eval.level.${c.level}`)} · {t(`channel.${c.channel}`)} · {formatTime(c.evaluatedAt)}
          </dd>
          {c.comment && (
            <>
              <dt>{t('eval.comment')}</dt>
              <dd>{c.comment}</dd>
            </>
          )}
          <dt>{tx({ zh: '责任单位', en: 'Responsible unit' })}</dt>
          <dd>{departmentName(c.department)}</dd>
          <dt>{tx({ zh: '整改反馈期限', en: 'Feedback due' })}</dt>
          <dd>
            {formatDeadline(c.deadline)}{' '}
            {OPEN.has(c.status) && <TimeBadge status={c.timeStatus} remaining={c.remainingWorkingDays} />}
          </dd>
          {c.contact && (
            <>
              <dt>{tx({ zh: '联系情况', en: 'Contact' })}</dt>
              <dd>
                {c.contact.note} <span className="muted small">{stamp(c.contact)}</span>
              </dd>
            </>
          )}
          {c.finding && (
            <>
              <dt>{tx({ zh: '核实结论', en: 'Finding' })}</dt>
              <dd>
                {tx(FINDINGS[c.finding.result]!)}
                {c.finding.reason ? `：${c.finding.reason}` : ''}
                {c.finding.plan ? ` · ${c.finding.plan}` : ''}{' '}
                <span className="muted small">{stamp(c.finding)}</span>
              </dd>
            </>
          )}
          {c.appealReview && (
            <>
              <dt>{tx({ zh: '申诉复核', en: 'Appeal review' })}</dt>
              <dd>
                {c.appealReview.upheld
                  ? tx({ zh: '支持申诉', en: 'Upheld' })
                  : tx({ zh: '不支持', en: 'Not upheld' })}
                ：{c.appealReview.reason} <span className="muted small">{stamp(c.appealReview)}</span>
              </dd>
            </>
          )}
          {c.feedback && (
            <>
              <dt>{tx({ zh: '反馈申请人', en: 'Feedback' })}</dt>
              <dd>
                {c.feedback.message}
                {c.feedback.measures ? ` · ${c.feedback.measures}` : ''}{' '}
                <span className="muted small">{stamp(c.feedback)}</span>
              </dd>
            </>
          )}
          {c.revisit && (
            <>
              <dt>{tx({ zh: '回访', en: 'Revisit' })}</dt>
              <dd>
                {c.revisit.satisfied
                  ? tx({ zh: '满意', en: 'Satisfied' })
                  : tx({ zh: '不满意', en: 'Not satisfied' })}
                {c.revisit.note ? `：${c.revisit.note}` : ''}{' '}
                <span className="muted small">{stamp(c.revisit)}</span>
              </dd>
            </>
          )}
        </dl>
      </Section>
      <Step c={c} role={role} onSaved={setSaved} />
      {c.timeline && (
        <Section title={t('detail.timeline')}>
          <ol className="timeline small">
            {c.timeline.map((e, i) => (
              <li key={i}>
                {formatTime(e.at)} · {STEP_NAMES[e.type] ? tx(STEP_NAMES[e.type]!) : e.type} · {e.by.userId}
              </li>
            ))}
          </ol>
        </Section>
      )}
    </div>
  );
}

/** Timeline entries by type, as the case's history reads them. */
const STEP_NAMES: Record<string, Text> = {
  opened: { zh: '差评生成整改件', en: 'Opened by the bad review' },
  assigned: { zh: '改派责任单位', en: 'Reassigned' },
  contacted: { zh: '联系评价人', en: 'Evaluator contacted' },
  'verified.valid': { zh: '核实属实', en: 'Verified: valid' },
  'verified.no-basis': { zh: '核实无法律依据', en: 'Verified: no legal basis' },
  'verified.mistaken': { zh: '核实为误评，提出申诉', en: 'Verified: mistaken, appealed' },
  'appeal.upheld': { zh: '申诉成立', en: 'Appeal upheld' },
  'appeal.rejected': { zh: '申诉不成立', en: 'Appeal not upheld' },
  fedBack: { zh: '已反馈申请人', en: 'Fed back' },
  revisited: { zh: '回访办结', en: 'Revisited, closed' },
  'timeLimit.yellow': { zh: '临近期限（黄灯）', en: 'Deadline near (yellow)' },
  'timeLimit.red': { zh: '已超期（红灯）', en: 'Overdue (red)' },
};

const FINDINGS: Record<string, Text> = {
  valid: { zh: '属实，整改', en: 'Valid: rectify' },
  'no-basis': { zh: '无法律依据，解释说明', en: 'No legal basis: explain' },
  mistaken: { zh: '误评或恶意差评，申诉复核', en: 'Mistaken or malicious: appeal' },
};

interface StepField {
  name: string;
  label: Text;
  kind: 'text' | 'textarea' | 'choice';
  options?: { value: string; label: Text }[];
}

/** The one step this state and role allow, as a small form. */
function Step({
  c,
  role,
  onSaved,
}: {
  c: RectificationView;
  role: string;
  onSaved: (v: RectificationView) => void;
}) {
  const { catalogue } = useCatalogue();
  const yesNo = [
    { value: 'true', label: { zh: '是', en: 'Yes' } },
    { value: 'false', label: { zh: '否', en: 'No' } },
  ];
  const steps: Record<string, { step: string; title: Text; fields: StepField[]; roles: string[] }[]> = {
    assigned: [
      {
        step: 'contact',
        title: { zh: '联系评价人', en: 'Contact the evaluator' },
        roles: ['department'],
        fields: [{ name: 'note', label: { zh: '联系情况', en: 'Contact note' }, kind: 'textarea' }],
      },
    ],
    verifying: [
      {
        step: 'verify',
        title: { zh: '核实结论', en: 'Verification' },
        roles: ['department'],
        fields: [
          {
            name: 'finding',
            label: { zh: '结论', en: 'Finding' },
            kind: 'choice',
            options: Object.entries(FINDINGS).map(([value, label]) => ({ value, label })),
          },
          {
            name: 'reason',
            label: { zh: '理由（解释或申诉时必填）', en: 'Reason (to explain or appeal)' },
            kind: 'textarea',
          },
          { name: 'plan', label: { zh: '整改计划', en: 'Rectification plan' }, kind: 'textarea' },
        ],
      },
    ],
    rectifying: [
      {
        step: 'feedback',
        title: { zh: '整改并反馈申请人', en: 'Rectify and feed back' },
        roles: ['department'],
        fields: [
          { name: 'measures', label: { zh: '整改措施', en: 'Measures' }, kind: 'textarea' },
          { name: 'message', label: { zh: '反馈内容', en: 'Message to the applicant' }, kind: 'textarea' },
        ],
      },
    ],
    explained: [
      {
        step: 'feedback',
        title: { zh: '向申请人解释说明', en: 'Explain to the applicant' },
        roles: ['department'],
        fields: [
          { name: 'message', label: { zh: '反馈内容', en: 'Message to the applicant' }, kind: 'textarea' },
        ],
      },
    ],
    appealed: [
      {
        step: 'review',
        title: { zh: '申诉复核', en: 'Review the appeal' },
        roles: ['supervisor'],
        fields: [
          {
            name: 'upheld',
            label: { zh: '支持申诉（作无效差评）', en: 'Uphold (invalid review)' },
            kind: 'choice',
            options: yesNo,
          },
          { name: 'reason', label: { zh: '复核意见', en: 'Reason' }, kind: 'textarea' },
        ],
      },
    ],
    fedBack: [
      {
        step: 'revisit',
        title: { zh: '回访', en: 'Revisit' },
        roles: ['department', 'supervisor'],
        fields: [
          {
            name: 'satisfied',
            label: { zh: '申请人是否满意', en: 'Applicant satisfied' },
            kind: 'choice',
            options: yesNo,
          },
          { name: 'note', label: { zh: '回访记录', en: 'Note' }, kind: 'textarea' },
        ],
      },
    ],
  };
  const reassign = {
    step: 'assign',
    title: { zh: '改派责任单位', en: 'Reassign' },
    roles: ['supervisor'],
    fields: [
      {
        name: 'department',
        label: { zh: '责任单位', en: 'Responsible unit' },
        kind: 'choice' as const,
        options: Object.entries(catalogue?.departments ?? {}).map(([value, label]) => ({ value, label })),
      },
      { name: 'reason', label: { zh: '改派原因', en: 'Reason' }, kind: 'textarea' as const },
    ],
  };
  const available = [
    ...(steps[c.status] ?? []),
    ...(c.status === 'assigned' || c.status === 'verifying' ? [reassign] : []),
  ].filter((s) => s.roles.includes(role));
  return (
    <>
      {available.map((s) => (
        <StepForm key={s.step} c={c} step={s.step} title={s.title} fields={s.fields} onSaved={onSaved} />
      ))}
    </>
  );
}

function StepForm({
  c,
  step,
  title,
  fields,
  onSaved,
}: {
  c: RectificationView;
  step: string;
  title: Text;
  fields: StepField[];
  onSaved: (v: RectificationView) => void;
}) {
  const { api, t, tx, lang } = useApp();
  const [values, setValues] = useState<Record<string, string>>({});
  const { busy, error, run } = useCommand();
  const problems = error?.fieldErrors ?? [];
  const body = () => {
    const out: Record<string, unknown> = {};
    for (const f of fields) {
      const v = values[f.name]?.trim();
      if (!v) continue;
      out[f.name] = v === 'true' ? true : v === 'false' ? false : v;
    }
    return out;
  };
  const control = (f: StepField): ReactNode =>
    f.kind === 'choice' ? (
      <select
        name={f.name}
        value={values[f.name] ?? ''}
        onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
        aria-describedby={`${step}-${f.name}-error`}
      >
        <option value="">—</option>
        {f.options!.map((o) => (
          <option key={o.value} value={o.value}>
            {tx(o.label)}
          </option>
        ))}
      </select>
    ) : (
      <textarea
        name={f.name}
        rows={2}
        maxLength={2000}
        value={values[f.name] ?? ''}
        onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
        aria-describedby={`${step}-${f.name}-error`}
      />
    );
  return (
    <Section title={tx(title)}>
      <form
        data-step={step}
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () =>
            onSaved(await api.request<RectificationView>('POST', path(c.id, step), body())),
          );
        }}
      >
        {fields.map((f) => (
          <label key={f.name}>
            {tx(f.label)}
            {control(f)}
            <FieldError id={`${step}-${f.name}-error`} message={fieldMessage(problems, f.name, lang)} />
          </label>
        ))}
        <ErrorBanner error={error} showFields={false} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? t('common.working') : tx(title)}
          </button>
        </div>
      </form>
    </Section>
  );
}
