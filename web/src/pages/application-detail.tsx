/**
 * One application at the window: where every item stands (with its time-limit colour), the
 * materials and deferrals, the notices, the timeline; and the window's next step — accept a
 * submitted case, gather department requests into one notice, record the applicant's
 * supplement, deliver the results, print the acceptance notice, the one-time notice and the
 * delivery receipt.
 */
import { useMemo, useRef, useState, type MutableRefObject } from 'react';
import type { Application, MergeResult } from '../api.js';
import { useApp } from '../context.js';
import { Link } from '../app.js';
import {
  ErrorBanner,
  FieldError,
  formatDeadline,
  formatTime,
  Loading,
  Section,
  StatusTag,
  TimeBadge,
  useCommand,
  useLoad,
} from '../components/common.js';
import { useCatalogue } from '../components/catalogue.js';
import { ItemCells, ItemHeadings } from '../components/item-columns.js';
import { materialInputs, MaterialsChecklist, type MaterialChoice } from '../components/materials.js';
import { StoredMaterialFile, windowMayUpload } from '../components/material-file.js';
import { resultText } from '../components/item-outputs.js';
import { AcceptPanel } from './new-application.js';
import { LiveForm } from '../components/live-form.js';
import { cells, renderers } from '../../../forms/src/renderers/index.js';
import {
  correctedData,
  correctionForm,
  hasFreeTextEntries,
  noticeFields,
  supplementBody,
  type CorrectionForm,
} from '../lib/corrections.js';
import { formTranslator, localiseSchema } from '../lib/form-labels.js';
import { fieldMessage, formErrors, type FieldProblem } from '../lib/problems.js';
import { entryWithdrawn, noticeState, openNoticeOf, requestsToNotify } from '../lib/supplements.js';
import { batchesOf, batchOf, deliverableNow, owedFor, type Batch } from '../lib/deliveries.js';
import { createValidator } from '../lib/validator.js';

export function ApplicationDetail({ id }: { id: string }) {
  const { api, t, tx } = useApp();
  const search = new URLSearchParams(location.search);
  const { bundleName, departmentName } = useCatalogue();
  const loaded = useLoad(() => api.application(id), [id]);
  const [override, setOverride] = useState<Application | null>(null);
  const app = override && loaded.data && override.rev >= loaded.data.rev ? override : loaded.data;
  const refresh = (a: Application) => setOverride(a);
  if (loaded.loading && !app) return <Loading />;
  if (loaded.error && !app) return <ErrorBanner error={loaded.error} />;
  if (!app) return null;
  const print = (kind: string) => `/print/${kind}/${encodeURIComponent(app.id)}`;
  const open = app.status === 'in-progress' || app.status === 'awaiting-supplement';
  return (
    <div className="page">
      <div className="page-head">
        <h1>
          {bundleName(app.bundleCode)} · <span data-testid="case-number">{app.number}</span>
        </h1>
        <div className="card-actions">
          <StatusTag status={app.status} />
          {open && <TimeBadge status={app.timeStatus} />}
          <button type="button" className="link" onClick={() => (setOverride(null), loaded.reload())}>
            {t('common.refresh')}
          </button>
        </div>
      </div>
      {search.get('accepted') && app.acceptedAt && (
        <div className="ok-banner" role="status">
          {t('detail.acceptedOk', { number: app.number })}{' '}
          <Link href={print('acceptance')}>{t('print.acceptance')}</Link>
        </div>
      )}
      <Section title={t('detail.overview')}>
        <dl className="facts">
          <dt>{t('app.applicant')}</dt>
          <dd>
            {app.applicant.name} · {app.applicant.idNumber}
            {app.applicant.phone ? ` · ${app.applicant.phone}` : ''}
          </dd>
          <dt>{t('detail.acceptedAt')}</dt>
          <dd>{formatTime(app.acceptedAt)}</dd>
          <dt>{t('app.deadline')}</dt>
          <dd>
            {formatDeadline(app.deadline)} ({t('wizard.promised', { n: app.promisedDays })})
          </dd>
          <dt>{t('detail.prints')}</dt>
          <dd className="links">
            {app.acceptedAt && <Link href={print('acceptance')}>{t('print.acceptance')}</Link>}
            {app.notices.length > 0 && <Link href={print('notice')}>{t('print.notice')}</Link>}
            {app.delivery && <Link href={print('delivery')}>{t('print.delivery')}</Link>}
            {/* 分批出件: each batch has its receipt (a single delivery's is the one above). */}
            {(batchesOf(app).length > 1 || !app.delivery) &&
              batchesOf(app).map((b) => (
                <Link key={b.batch} href={`${print('delivery')}?batch=${b.batch}`}>
                  {t('print.batchDelivery', { n: b.batch })}
                </Link>
              ))}
          </dd>
        </dl>
      </Section>

      {(app.status === 'draft' || app.status === 'submitted') && (
        <AcceptPanel
          app={app}
          bundleName={bundleName(app.bundleCode)}
          applicantName={app.applicant.name}
          holderId={app.applicant.idNumber}
        />
      )}
      {app.status === 'returned' && <Resubmit app={app} onDone={refresh} />}

      {app.items.length > 0 && app.acceptedAt && (
        <Section title={t('detail.items')}>
          <table className="list" data-testid="items">
            <thead>
              <tr>
                <ItemHeadings />
                <th scope="col">{t('app.timeStatus')}</th>
                <th scope="col">{t('detail.handedOver')}</th>
                <th scope="col">{t('detail.result')}</th>
              </tr>
            </thead>
            <tbody>
              {app.items.map((i) => (
                <tr key={i.item} data-item={i.item}>
                  <ItemCells item={i} />
                  <td>
                    {i.status === 'reviewing' || i.status === 'needs-supplement' ? (
                      <TimeBadge status={i.timeStatus} />
                    ) : (
                      '—'
                    )}
                  </td>
                  <td data-testid="handed-over">
                    <HandedOver batch={batchOf(app, i.item)} />
                  </td>
                  <td>{resultText(i, tx) || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
      )}

      {/* A deferred material may still arrive once every item is decided (results wait for it). */}
      {(open || app.status === 'results-ready') && <SupplementPanel app={app} onDone={refresh} />}
      {open && <BatchDeliverPanel app={app} onDone={refresh} />}
      {app.status === 'results-ready' && <DeliverPanel app={app} onDone={refresh} />}
      {(app.status === 'delivered' || app.status === 'evaluated') && (
        <Section title={t('detail.delivered')}>
          <p>
            {t('detail.deliveredAt', {
              time: formatTime(app.deliveredAt),
              channel: t(`channel.${app.delivery?.channel ?? 'window'}`),
            })}{' '}
            <Link href={print('delivery')}>{t('print.delivery')}</Link> ·{' '}
            <Link href={`/evaluate/${encodeURIComponent(app.id)}?channel=window`}>
              {t('detail.windowEvaluation')}
            </Link>
          </p>
          {app.evaluations.map((e, i) => (
            <p key={i} className="small">
              {t(`eval.level.${e.level}`)} · {t(`channel.${e.channel}`)} · {formatTime(e.at)}
              {e.rectification ? ` · ${t('eval.rectification')}: ${t(`rect.${e.rectification.status}`)}` : ''}
            </p>
          ))}
        </Section>
      )}

      <Section title={t('detail.materials')}>
        <ul className="material-status">
          {app.materials.map((m) => (
            <li key={m.id} data-material={m.id}>
              {tx(m.name)} — <strong>{t(`mstatus.${m.status}`)}</strong>
              {m.deferral &&
                ` · ${t(`deferral.${m.deferral.status}`)} ${t('materials.dueAt', { date: formatTime(m.deferral.dueAt, false) })}`}
              {m.file && (
                <>
                  {' · '}
                  <StoredMaterialFile applicationId={app.id} material={m} file={m.file} />
                </>
              )}
            </li>
          ))}
        </ul>
      </Section>

      {app.notices.length > 0 && (
        <Section title={t('detail.notices')}>
          {app.notices.map((n) => (
            <div key={n.id} className="notice-block">
              <strong>
                {t('print.noticeNo', { n: n.number })} · {t(`notice.${n.kind}`)} · {formatTime(n.issuedAt)}
                {noticeState(n) !== 'open' ? ` · ${t(`notice.${noticeState(n)}`)}` : ''}
              </strong>
              <ul>
                {n.entries.map((e, i) => (
                  <li key={i} data-withdrawn={entryWithdrawn(app, n, e) || undefined}>
                    {e.department ? `[${departmentName(e.department)}] ` : ''}
                    {e.problem}
                    {e.requirement ? ` — ${e.requirement}` : ''}
                    {entryWithdrawn(app, n, e) && <em className="muted"> · {t('notice.entryWithdrawn')}</em>}
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </Section>
      )}

      <Section title={t('detail.timeline')}>
        <ul className="timeline">
          {[...app.timeline].reverse().map((e, i) => (
            <li key={i}>
              <time>{formatTime(e.at)}</time> {t(`event.${e.type}`)}{' '}
              <span className="muted small">
                {/* Time-limit crossings are the system's; the item's department is what matters. */}
                {typeof e.data?.department === 'string'
                  ? departmentName(e.data.department)
                  : e.by.department
                    ? departmentName(e.by.department)
                    : e.by.userId}
              </span>
              {/* A special step's written notice to the applicant: which step, not counted, its own due date. */}
              {isText(e.data?.notice) && <div className="small">{tx(e.data.notice)}</div>}
            </li>
          ))}
        </ul>
      </Section>
    </div>
  );
}

/** Before acceptance, after a one-time notice: the applicant brings the corrections, the case is submitted again. */
function Resubmit({ app, onDone }: { app: Application; onDone(a: Application): void }) {
  const { api, t } = useApp();
  const { busy, error, run } = useCommand();
  return (
    <Section title={t('detail.returned')}>
      <p>{t('detail.returnedHint')}</p>
      <ErrorBanner error={error} />
      <div className="actions">
        <Link href={`/print/notice/${encodeURIComponent(app.id)}`}>{t('print.notice')}</Link>
        <button
          type="button"
          className="primary"
          disabled={busy}
          onClick={() => run(async () => onDone(await api.submit(app.id)))}
        >
          {t('detail.resubmit')}
        </button>
      </div>
    </Section>
  );
}

/** Recording a supplement with no corrected value, no material and no free-text entry to confirm. */
function nothingToRecord(fieldsAsked: boolean): FieldProblem {
  const message = fieldsAsked
    ? {
        zh: '请填写更正后的内容或记录申请人补交的材料',
        en: 'enter a corrected value or record the materials the applicant brought',
      }
    : { zh: '请记录申请人补交的材料', en: 'record the materials the applicant brought' };
  return { field: 'supplement', message };
}

/**
 * After acceptance: department requests are gathered into one notice (the server does it
 * itself once no department is still reviewing; the clerk may issue it earlier), and what the
 * applicant brings — corrected materials, deferred materials — is recorded here.
 */
function SupplementPanel({ app, onDone }: { app: Application; onDone(a: Application): void }) {
  const { api, t, tx, lang } = useApp();
  const { busy, error, run } = useCommand();
  const pendingRequests = requestsToNotify(app);
  const openNotice = openNoticeOf(app);
  const asked = new Set(openNotice?.entries.map((e) => e.materialId).filter(Boolean) as string[]);
  const wanted = app.materials.filter((m) => asked.has(m.id) || m.deferral?.status === 'pending');
  const named = noticeFields(openNotice);
  const freeText = hasFreeTextEntries(openNotice);
  // The unified form draws the fields the notice names (those it has: a newer bundle version may not).
  const form = useLoad(
    () => (named.length ? api.form(app.bundleCode, {}) : Promise.resolve(undefined)),
    [app.bundleCode, named.length > 0],
  );
  const cut = useMemo(
    () => (form.data ? correctionForm(form.data, named, app.data) : undefined),
    [form.data, named.join(), app.data],
  );
  const fields = Object.keys(cut?.schema.properties ?? {});
  /** The corrected fields as they are on the screen. */
  const corrections = useRef<unknown>(undefined);
  const [missing, setMissing] = useState<FieldProblem[]>([]);
  const [choices, setChoices] = useState<Record<string, MaterialChoice>>({});
  const itemNames = Object.fromEntries(app.items.map((i) => [i.item, tx(i.name)]));
  if (!pendingRequests.length && !openNotice && !wanted.length) return null;
  const current = Object.fromEntries(
    wanted.map((m) => [m.id, choices[m.id] ?? { status: 'missing' as const }]),
  );
  return (
    <Section title={t('detail.supplement')}>
      <ErrorBanner error={error} />
      {pendingRequests.length > 0 && (
        <div className="notice-block">
          <p>{t('detail.pendingRequests', { n: pendingRequests.length })}</p>
          <button
            type="button"
            disabled={busy}
            onClick={() => run(async () => onDone(await api.issueNotice(app.id)))}
          >
            {t('detail.issueNotice')}
          </button>
        </div>
      )}
      {openNotice && (
        <p>
          {t('detail.noticeOpen', { n: openNotice.number })}{' '}
          <Link href={`/print/notice/${encodeURIComponent(app.id)}`}>{t('print.notice')}</Link>
        </p>
      )}
      {(openNotice || wanted.length > 0) && (
        <>
          {wanted.length > 0 && (
            <MaterialsChecklist
              materials={wanted}
              choices={current}
              licences={[]}
              onChange={(id, c) => setChoices({ ...choices, [id]: c })}
              problems={error?.fieldErrors ?? []}
              allowRelief={false}
              itemNames={itemNames}
              files={{ applicationId: app.id, canUpload: windowMayUpload(app.status) }}
            />
          )}
          {form.error && <ErrorBanner error={form.error} />}
          {form.loading && named.length > 0 && <Loading />}
          {cut && fields.length > 0 && (
            <FieldCorrections
              form={form.data!}
              cut={cut}
              latest={corrections}
              problems={[...(error?.fieldErrors ?? []), ...missing]}
            />
          )}
          {freeText && (
            <p className="hint" data-testid="free-text-answered">
              {t('detail.freeTextAnswered')}
            </p>
          )}
          <p className="hint">{t('detail.supplementHint')}</p>
          <button
            type="button"
            className="primary"
            data-testid="record-supplement"
            disabled={busy || form.loading}
            onClick={() => {
              // Only the named fields given a value: what the applicant corrected, nothing else.
              const body = supplementBody(
                correctedData(fields, corrections.current),
                materialInputs(current, []),
                freeText,
              );
              setMissing(body ? [] : [nothingToRecord(fields.length > 0)]);
              if (body) return run(async () => onDone(await api.supplement(app.id, body)));
            }}
          >
            {t('detail.recordSupplement')}
          </button>
          <FieldError message={fieldMessage(missing, 'supplement', lang)} />
        </>
      )}
    </Section>
  );
}

/** The fields an open notice asks to correct, drawn as in the unified form, from the case's values. */
function FieldCorrections({
  form,
  cut,
  latest,
  problems,
}: {
  form: MergeResult;
  cut: CorrectionForm;
  latest: MutableRefObject<unknown>;
  problems: FieldProblem[];
}) {
  const { t, lang } = useApp();
  const [data, setData] = useState<Record<string, unknown> | undefined>(undefined);
  const ajv = useMemo(() => createValidator(() => lang), [lang]);
  const schema = useMemo(() => localiseSchema(cut.schema, lang) as object, [cut, lang]);
  const translate = useMemo(() => formTranslator({ i18n: form.form.i18n }, lang), [form, lang]);
  return (
    <div className="jsonforms unified-form" data-testid="field-corrections">
      <h3>{t('detail.correctFields')}</h3>
      <LiveForm
        latest={latest}
        schema={schema}
        uischema={cut.uischema as never}
        data={data ?? cut.data}
        renderers={renderers}
        cells={cells}
        ajv={ajv as never}
        validationMode="ValidateAndShow"
        additionalErrors={formErrors(problems, lang)}
        i18n={{ locale: lang, translate: translate as never }}
        onChange={({ data: d }) => setData(d ?? {})}
      />
    </div>
  );
}

type Channel = 'window' | 'post' | 'electronic';

/** How results are handed over: window pickup (identity checked), post or electronic. */
function ChannelChoice({ channel, onChange }: { channel: Channel; onChange(c: Channel): void }) {
  const { t } = useApp();
  return (
    <fieldset className="choice-row">
      <legend>{t('detail.channel')}</legend>
      {(['window', 'post', 'electronic'] as const).map((c) => (
        <label key={c} className="choice">
          <input type="radio" name="channel" checked={channel === c} onChange={() => onChange(c)} />
          {t(`channel.${c}`)}
        </label>
      ))}
    </fieldset>
  );
}

/** Which batch handed an item over (分批出件), and when. */
function HandedOver({ batch }: { batch: Batch | undefined }) {
  const { t } = useApp();
  return <>{batch ? t('detail.inBatch', { n: batch.batch, time: formatTime(batch.at) }) : '—'}</>;
}

/**
 * 分批出件: while other items are still open, the applicant may ask for the decided results
 * (approvals and written rejections) now; an item whose 容缺 material is still owed waits.
 */
function BatchDeliverPanel({ app, onDone }: { app: Application; onDone(a: Application): void }) {
  const { api, t, tx } = useApp();
  const { busy, error, run } = useCommand();
  const [channel, setChannel] = useState<Channel>('window');
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const ready = deliverableNow(app);
  if (!ready.length) return null;
  const items = ready.filter((i) => chosen.has(i.item)).map((i) => i.item);
  const toggle = (item: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(item);
    else next.delete(item);
    setChosen(next);
  };
  return (
    <Section title={t('detail.batch')}>
      <p>{t('detail.batchHint')}</p>
      <ErrorBanner error={error} />
      <fieldset className="choice-col" data-testid="batch-items">
        <legend>{t('detail.batchChoose')}</legend>
        {ready.map((i) => {
          const owed = owedFor(app, i.item);
          return (
            <label key={i.item} className="choice" data-item={i.item}>
              <input
                type="checkbox"
                disabled={owed.length > 0}
                checked={chosen.has(i.item)}
                onChange={(e) => toggle(i.item, e.target.checked)}
              />
              {tx(i.name)} · {t(`item.${i.status}`)}
              {owed.length > 0 &&
                ` · ${t('detail.batchOwed', { materials: owed.map((m) => tx(m.name)).join('、') })}`}
            </label>
          );
        })}
      </fieldset>
      <ChannelChoice channel={channel} onChange={setChannel} />
      <button
        type="button"
        className="primary"
        data-testid="deliver-batch"
        disabled={busy || items.length === 0}
        onClick={() =>
          run(async () => {
            onDone(await api.deliver(app.id, channel, items));
            setChosen(new Set());
          })
        }
      >
        {t('detail.batchNow')}
      </button>
    </Section>
  );
}

function DeliverPanel({ app, onDone }: { app: Application; onDone(a: Application): void }) {
  const { api, t, tx } = useApp();
  const { busy, error, run } = useCommand();
  const [channel, setChannel] = useState<Channel>('window');
  // 容缺: results are not issued until every deferred material has arrived.
  const awaited = app.materials.filter((m) => m.deferral?.status === 'pending');
  // After 分批出件 only what is left goes out now.
  const rest = app.items.filter((i) => !batchOf(app, i.item));
  return (
    <Section title={t('detail.deliver')}>
      <p>{t('detail.deliverHint')}</p>
      {batchesOf(app).length > 0 && (
        <p data-testid="deliver-rest">
          {t('detail.deliverRest', { items: rest.map((i) => tx(i.name)).join('、') })}
        </p>
      )}
      {awaited.length > 0 && (
        <p className="warn" data-testid="deliver-waits">
          {t('detail.deliverWaits', { materials: awaited.map((m) => tx(m.name)).join('、') })}
        </p>
      )}
      <ErrorBanner error={error} />
      <ChannelChoice channel={channel} onChange={setChannel} />
      <button
        type="button"
        className="primary"
        data-testid="deliver"
        disabled={busy || awaited.length > 0}
        onClick={() =>
          run(async () => {
            onDone(await api.deliver(app.id, channel));
          })
        }
      >
        {t('detail.deliverNow')}
      </button>
    </Section>
  );
}

/** A {zh, en} text among a timeline entry's details (a special step's notice to the applicant). */
function isText(value: unknown): value is { zh: string; en: string } {
  return typeof value === 'object' && value !== null && typeof (value as { zh?: unknown }).zh === 'string';
}
