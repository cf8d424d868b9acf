/**
 * Printable pages (A4, CSS @media print hides the buttons): the acceptance notice (受理通知书),
 * the one-time notice (一次性告知书) and the delivery receipt (送达回执) with the QR code that
 * takes the applicant to the evaluation page (好差评).
 */
import type { ReactNode } from 'react';
import type { Application } from '../api.js';
import { useApp } from '../context.js';
import { ErrorBanner, formatDeadline, formatTime, Loading, useLoad } from '../components/common.js';
import { useCatalogue } from '../components/catalogue.js';
import { Qr } from '../components/qr.js';
import { resultText } from '../components/item-outputs.js';
import { entryWithdrawn } from '../lib/supplements.js';
import { batchesOf, batchOf } from '../lib/deliveries.js';
import { navigate, useLocation } from '../router.js';

function PrintFrame({
  id,
  title,
  children,
}: {
  id: string;
  title: string;
  children: (app: Application) => ReactNode;
}) {
  const { api, t } = useApp();
  const loaded = useLoad(() => api.application(id), [id]);
  return (
    <div className="print-page">
      <div className="print-tools no-print">
        <button type="button" onClick={() => navigate(`/clerk/applications/${encodeURIComponent(id)}`)}>
          {t('common.back')}
        </button>
        <button type="button" className="primary" onClick={() => window.print()} data-testid="print">
          {t('print.print')}
        </button>
      </div>
      {loaded.loading && <Loading />}
      <ErrorBanner error={loaded.error} />
      {loaded.data && (
        <article className="sheet">
          <header className="sheet-head">
            <div className="sheet-org">{t('print.centre')}</div>
            <h1>{title}</h1>
            <div className="sheet-no">
              {t('app.number')}：<strong data-testid="print-number">{loaded.data.number}</strong>
            </div>
          </header>
          {children(loaded.data)}
          <footer className="sheet-foot">
            <div>
              {t('print.issuedBy')}：{t('print.centre')}（{t('print.seal')}）
            </div>
            <div>
              {t('print.date')}：{formatTime(Date.now(), false)}
            </div>
          </footer>
        </article>
      )}
    </div>
  );
}

/** One row per item (or per item of `only`): its name, its department and one more column. */
function ItemsTable({
  app,
  heading,
  cell,
  only,
}: {
  app: Application;
  heading: string;
  cell: (item: Application['items'][number]) => ReactNode;
  only?: readonly string[];
}) {
  const { t, tx } = useApp();
  const { departmentName } = useCatalogue();
  return (
    <table className="sheet-table">
      <thead>
        <tr>
          <th>{t('detail.item')}</th>
          <th>{t('detail.department')}</th>
          <th>{heading}</th>
        </tr>
      </thead>
      <tbody>
        {app.items
          .filter((i) => !only || only.includes(i.item))
          .map((i) => (
            <tr key={i.item} data-item={i.item}>
              <td>{tx(i.name)}</td>
              <td>{departmentName(i.department)}</td>
              <td>{cell(i)}</td>
            </tr>
          ))}
      </tbody>
    </table>
  );
}

/**
 * 帮办代办 on the acceptance notice: who acted for the applicant, where and on what authority.
 * ID number and phone come masked from the API (only the applicant sees theirs in full).
 */
function AssistedFacts({
  app,
  assisted,
}: {
  app: Application;
  assisted: NonNullable<Application['assisted']>;
}) {
  const { api, t, tx } = useApp();
  const venues = useLoad(() => api.venues(app.bundleCode), [app.bundleCode]);
  const { agent, powerOfAttorney: poa } = assisted;
  const venue = assisted.venue && venues.data?.find((v) => v.id === assisted.venue);
  const authorisation = poa?.eSigned ? 'e-signature' : poa ? 'power-of-attorney' : 'none';
  return (
    <>
      <h2>{t('assisted.title')}</h2>
      <table className="sheet-table" data-testid="assisted">
        <tbody>
          <tr>
            <th scope="row">{t('assisted.mode')}</th>
            <td>{t(`assisted.mode.${assisted.mode}`)}</td>
          </tr>
          <tr>
            <th scope="row">{t('assisted.agent')}</th>
            <td data-testid="assisted-agent">
              {agent.name} · {agent.idNumber}
              {agent.phone ? ` · ${agent.phone}` : ''}
            </td>
          </tr>
          <tr>
            <th scope="row">{t('assisted.relationship')}</th>
            <td>
              {t(`assisted.rel.${agent.relationship}`)}
              {agent.staffId ? ` · ${t('assisted.staffId', { id: agent.staffId })}` : ''}
              {agent.organisation ? ` · ${agent.organisation}` : ''}
            </td>
          </tr>
          {assisted.venue && (
            <tr>
              <th scope="row">{t('assisted.venue')}</th>
              <td data-testid="assisted-venue">{venue ? tx(venue.name) : assisted.venue}</td>
            </tr>
          )}
          <tr>
            <th scope="row">{t('assisted.authorisation')}</th>
            <td data-testid="assisted-authorisation">
              {t(`assisted.auth.${authorisation}`)}
              {poa?.originalSeen ? ` · ${t('assisted.originalSeen')}` : ''}
              {poa?.validUntil ? ` · ${t('assisted.validUntil', { date: poa.validUntil })}` : ''}
            </td>
          </tr>
          {assisted.reason && (
            <tr>
              <th scope="row">{t('assisted.reason')}</th>
              <td>{assisted.reason}</td>
            </tr>
          )}
        </tbody>
      </table>
    </>
  );
}

export function PrintAcceptance({ id }: { id: string }) {
  const { t, tx } = useApp();
  const { bundleName } = useCatalogue();
  return (
    <PrintFrame id={id} title={t('print.acceptance')}>
      {(app) => (
        <>
          <p>
            {t('print.dear', { name: app.applicant.name })}
            {t('print.acceptanceBody', {
              bundle: bundleName(app.bundleCode),
              time: formatTime(app.acceptedAt),
              days: app.promisedDays,
              deadline: formatDeadline(app.deadline),
            })}
          </p>
          <ItemsTable
            app={app}
            heading={t('print.limit')}
            cell={(i) => t('print.days', { n: i.limitDays })}
          />
          {app.assisted && <AssistedFacts app={app} assisted={app.assisted} />}
          <h2>{t('print.materialsReceived')}</h2>
          <table className="sheet-table">
            <tbody>
              {app.materials.map((m) => (
                <tr key={m.id}>
                  <td>{tx(m.name)}</td>
                  <td>
                    {t(`mstatus.${m.status}`)}
                    {m.deferral
                      ? ` · ${t('materials.dueAt', { date: formatTime(m.deferral.dueAt, false) })}`
                      : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {app.commitments.length > 0 && (
            <>
              <h2>{t('print.commitments')}</h2>
              <ul>
                {app.commitments.map((c) => (
                  <li key={c.id}>
                    {t(`commitment.${c.kind}`)} · {t('commitment.signer')} {c.signer} ·{' '}
                    {formatTime(c.signedAt)} · SHA-256 {c.textHash.slice(0, 16)}…
                  </li>
                ))}
              </ul>
              <p className="small">{t('print.deferralRule')}</p>
            </>
          )}
          <p className="small">{t('print.acceptanceFoot')}</p>
        </>
      )}
    </PrintFrame>
  );
}

export function PrintNotice({ id }: { id: string }) {
  const { t, tx } = useApp();
  const { bundleName, departmentName } = useCatalogue();
  return (
    <PrintFrame id={id} title={t('print.notice')}>
      {(app) => {
        const notice = app.notices[app.notices.length - 1];
        if (!notice) return <p>{t('print.noNotice')}</p>;
        const name = (materialId?: string) => {
          const m = app.materials.find((x) => x.id === materialId);
          return m ? tx(m.name) : '';
        };
        return (
          <>
            <p>
              {t('print.dear', { name: app.applicant.name })}
              {t(notice.kind === 'pre-acceptance' ? 'print.noticeBodyBefore' : 'print.noticeBodyAfter', {
                bundle: bundleName(app.bundleCode),
                time: formatTime(notice.issuedAt),
              })}
            </p>
            <p className="small">
              {t('print.noticeNo', { n: notice.number })}
              {notice.number > 1 ? ` · ${t('print.repeatNotice')}` : ''}
            </p>
            <table className="sheet-table" data-testid="notice-entries">
              <thead>
                <tr>
                  <th>#</th>
                  <th>{t('print.problem')}</th>
                  <th>{t('print.requirement')}</th>
                  <th>{t('detail.department')}</th>
                </tr>
              </thead>
              <tbody>
                {notice.entries.map((e, i) => (
                  <tr key={i}>
                    <td>{i + 1}</td>
                    <td>
                      {e.materialId ? `${name(e.materialId)}：` : ''}
                      {e.problem}
                      {entryWithdrawn(app, notice, e) && ` · ${t('notice.entryWithdrawn')}`}
                    </td>
                    <td>{e.requirement ?? '—'}</td>
                    <td>{e.department ? departmentName(e.department) : t('dept.window')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p className="small">
              {t(notice.kind === 'pre-acceptance' ? 'print.noticeFootBefore' : 'print.noticeFootAfter')}
            </p>
          </>
        );
      }}
    </PrintFrame>
  );
}

/**
 * The delivery receipt (送达回执): with `?batch=n` that batch's results (分批出件), else every
 * result with the batch that handed it over; the evaluation QR code once every result is out.
 */
export function PrintDelivery({ id }: { id: string }) {
  const { t } = useApp();
  const n = Number(useLocation().search.get('batch')) || undefined;
  return (
    <PrintFrame id={id} title={n ? t('print.batchDelivery', { n }) : t('print.delivery')}>
      {(app) => <DeliveryReceipt app={app} batch={n} />}
    </PrintFrame>
  );
}

function DeliveryReceipt({ app, batch: n }: { app: Application; batch: number | undefined }) {
  const { t, tx } = useApp();
  const { bundleName } = useCatalogue();
  const batches = batchesOf(app);
  const batch = batches.find((b) => b.batch === n);
  if (n !== undefined && !batch) return <p>{t('print.noBatch', { n })}</p>;
  // The whole receipt, or the batch that handed over the last results.
  const complete = !!app.delivery && (!batch || batch.batch === batches.length);
  const several = !batch && batches.length > 1;
  const bundle = bundleName(app.bundleCode);
  const handover = batch ?? app.delivery;
  const body =
    batch && !complete
      ? t('print.batchBody', {
          bundle,
          time: formatTime(batch.at),
          channel: t(`channel.${batch.channel}`),
          n: batch.batch,
        })
      : several
        ? t('print.batchesBody', { bundle, n: batches.length })
        : t('print.deliveryBody', {
            bundle,
            time: formatTime(handover?.at),
            channel: t(`channel.${handover?.channel ?? 'window'}`),
          });
  const inBatch = (item: string) => {
    const b = several ? batchOf(app, item) : undefined;
    return b ? t('detail.inBatch', { n: b.batch, time: formatTime(b.at) }) : '';
  };
  const items = app.items.filter((i) => !batch || batch.items.includes(i.item));
  return (
    <>
      <p>
        {t('print.dear', { name: app.applicant.name })}
        {body}
      </p>
      <ItemsTable
        app={app}
        only={batch?.items}
        heading={t('detail.result')}
        cell={(i) => [t(`item.${i.status}`), resultText(i, tx), inBatch(i.item)].filter(Boolean).join(' · ')}
      />
      {items.some((i) => i.status === 'rejected') && <p className="small">{t('print.remedy')}</p>}
      {complete && <EvaluateBox app={app} />}
      <p className="signature">{t('print.receivedBy')}：＿＿＿＿＿＿＿＿</p>
    </>
  );
}

/** 好差评: the QR code and link to the evaluation page, once every result is out. */
function EvaluateBox({ app }: { app: Application }) {
  const { t } = useApp();
  const link = `${location.origin}/evaluate/${encodeURIComponent(app.id)}?channel=qr`;
  return (
    <div className="evaluate-box">
      <Qr text={link} label={t('print.evaluateQr')} />
      <div>
        <strong>{t('print.evaluateTitle')}</strong>
        <p className="small">{t('print.evaluateBody')}</p>
        <a href={link} data-testid="evaluate-link" className="small break">
          {link}
        </a>
      </div>
    </div>
  );
}
