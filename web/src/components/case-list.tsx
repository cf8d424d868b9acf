/**
 * The list every work queue shows (applications, department tasks, rectification cases): loading,
 * the API's error, an empty note, then one table whose rows the page draws.
 */
import type { ReactNode } from 'react';
import { useApp } from '../context.js';
import type { ApiError } from '../lib/problems.js';
import { ErrorBanner, Loading } from './common.js';

export function CaseList<Row>({
  load: { loading, error: loadError },
  error = loadError,
  rows,
  testId,
  columns,
  row,
}: {
  /** The list's loading state (useLoad). */
  load: { loading: boolean; error: ApiError | null };
  /** Shown instead of the load's error (e.g. a failed action on a row). */
  error?: ApiError | null;
  rows: Row[];
  /** data-testid of the table. */
  testId: string;
  /** Header cells, in order: message keys, or what to show. */
  columns: (string | ReactNode)[];
  row: (item: Row) => ReactNode;
}) {
  const { t } = useApp();
  return (
    <>
      {loading && <Loading />}
      <ErrorBanner error={error} />
      {!loading && rows.length === 0 && <p className="muted">{t('common.empty')}</p>}
      {rows.length > 0 && (
        <table className="list" data-testid={testId}>
          <thead>
            <tr>
              {columns.map((column, i) => (
                <th scope="col" key={i}>
                  {typeof column === 'string' ? t(column) : column}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>{rows.map(row)}</tbody>
        </table>
      )}
    </>
  );
}
