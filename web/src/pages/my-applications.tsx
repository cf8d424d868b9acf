/**
 * The applicant's own applications: each one's status, then each item's outcome (approved or not
 * and why, its result number and results such as the new credit code, handed over or not), with
 * the evaluation link once results are delivered.
 */
import { Fragment } from 'react';
import type { Application } from '../api.js';
import { useApp } from '../context.js';
import { Link } from '../app.js';
import {
  ErrorBanner,
  formatDeadline,
  formatTime,
  Loading,
  Section,
  StatusTag,
  useLoad,
} from '../components/common.js';
import { useCatalogue } from '../components/catalogue.js';
import { ItemCells, ItemHeadings } from '../components/item-columns.js';
import { resultText } from '../components/item-outputs.js';
import { batchOf } from '../lib/deliveries.js';
import { useLocation } from '../router.js';
import { BookAppointment } from './book.js';

export function MyApplications() {
  const { api, t } = useApp();
  const { bundleName } = useCatalogue();
  const { search } = useLocation();
  const book = search.get('book');
  const list = useLoad(
    () => api.all<Application>((after) => api.applications({ limit: 100, ...(after ? { after } : {}) })),
    [],
  );
  return (
    <div className="page">
      <h1>{t('nav.my')}</h1>
      {book && <BookAppointment venue={book} bundle={search.get('bundle') ?? ''} />}
      <Section title={t('nav.my')}>
        {list.loading && <Loading />}
        <ErrorBanner error={list.error} />
        {list.data && list.data.items.length === 0 && <p className="muted">{t('common.empty')}</p>}
        {list.data && list.data.items.length > 0 && (
          <table className="list">
            <thead>
              <tr>
                <th>{t('app.number')}</th>
                <th>{t('app.bundle')}</th>
                <th>{t('app.status')}</th>
                <th>{t('app.deadline')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((a) => (
                <Fragment key={a.id}>
                  <tr data-case={a.id}>
                    <td>{a.number}</td>
                    <td>{bundleName(a.bundleCode)}</td>
                    <td>
                      <StatusTag status={a.status} />
                    </td>
                    <td>{formatDeadline(a.deadline)}</td>
                    <td>
                      {(a.status === 'delivered' || a.status === 'evaluated') && (
                        <Link href={`/evaluate/${encodeURIComponent(a.id)}?channel=web`}>
                          {t('eval.title')}
                        </Link>
                      )}
                    </td>
                  </tr>
                  {/* Items exist from the draft on, but are worked on (and decided) only once accepted. */}
                  {a.acceptedAt !== undefined && a.items.length > 0 && (
                    <tr data-results-of={a.id}>
                      <td colSpan={5}>
                        <ItemResults app={a} />
                      </td>
                    </tr>
                  )}
                </Fragment>
              ))}
            </tbody>
          </table>
        )}
      </Section>
    </div>
  );
}

/** Each item of a case as its applicant follows it: the decision, the result or the reason, the handover. */
function ItemResults({ app }: { app: Application }) {
  const { t, tx } = useApp();
  return (
    <table className="list" data-testid="item-results">
      <thead>
        <tr>
          <ItemHeadings />
          <th scope="col">{t('detail.result')}</th>
          <th scope="col">{t('my.handover')}</th>
        </tr>
      </thead>
      <tbody>
        {app.items.map((i) => (
          <tr key={i.item} data-item={i.item}>
            <ItemCells item={i} />
            <td data-testid="result">{resultText(i, tx) || '—'}</td>
            <td data-testid="handover">
              <Handover app={app} item={i} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Whether a decided item's result (or written rejection) was handed over, when and how. */
function Handover({ app, item }: { app: Application; item: Application['items'][number] }) {
  const { t } = useApp();
  const batch = batchOf(app, item.item);
  const decided = item.status === 'approved' || item.status === 'rejected';
  const text = batch
    ? t('detail.deliveredAt', { time: formatTime(batch.at), channel: t(`channel.${batch.channel}`) })
    : decided
      ? t('my.notHandedOver')
      : '—';
  return <>{text}</>;
}
