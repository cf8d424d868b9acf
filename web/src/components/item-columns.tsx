/**
 * The columns every table of a case's items starts with — the item, its department, its status —
 * on the clerk's case page and on the applicant's own page, which add their own after them.
 */
import type { Application } from '../api.js';
import { useApp } from '../context.js';
import { useCatalogue } from './catalogue.js';

type Item = Application['items'][number];

export function ItemHeadings() {
  const { t } = useApp();
  return (
    <>
      <th scope="col">{t('detail.item')}</th>
      <th scope="col">{t('detail.department')}</th>
      <th scope="col">{t('app.status')}</th>
    </>
  );
}

export function ItemCells({ item }: { item: Item }) {
  const { t, tx } = useApp();
  const { departmentName } = useCatalogue();
  return (
    <>
      <td>{tx(item.name)}</td>
      <td>{departmentName(item.department)}</td>
      <td>
        <span className={`status item-${item.status}`}>{t(`item.${item.status}`)}</span>
      </td>
    </>
  );
}
