/** The applicant's own applications, with the evaluation link once results are delivered. */
import type { Application } from '../api.js';
import { useApp } from '../context.js';
import { Link } from '../app.js';
import { ErrorBanner, formatDeadline, Loading, Section, StatusTag, useLoad } from '../components/common.js';
import { useCatalogue } from '../components/catalogue.js';
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
                <tr key={a.id}>
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
              ))}
            </tbody>
          </table>
        )}
      </Section>
    </div>
  );
}
