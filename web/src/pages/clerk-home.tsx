/** The clerk's overview: every application of the window's region, open ones first by deadline, coloured by time limit. */
import { useState } from 'react';
import type { Application } from '../api.js';
import { useApp } from '../context.js';
import { Link } from '../app.js';
import { formatDeadline, Section, StatusTag, Tabs, TimeBadge, useLoad } from '../components/common.js';
import { CaseList } from '../components/case-list.js';
import { useCatalogue } from '../components/catalogue.js';
import { byDeadline } from '../lib/time-status.js';

const TABS: Record<string, string[]> = {
  open: ['in-progress', 'awaiting-supplement'],
  ready: ['results-ready'],
  front: ['draft', 'submitted', 'returned'],
  closed: ['delivered', 'evaluated', 'refused', 'terminated'],
};

export function ClerkHome() {
  const { api, t } = useApp();
  const { bundleName } = useCatalogue();
  const [tab, setTab] = useState<keyof typeof TABS | 'all'>('open');
  const list = useLoad(
    () => api.all<Application>((after) => api.applications({ limit: 100, ...(after ? { after } : {}) })),
    [],
  );
  const all = list.data?.items ?? [];
  const rows = byDeadline(tab === 'all' ? all : all.filter((a) => TABS[tab]!.includes(a.status)));
  const count = (k: string) => all.filter((a) => TABS[k]!.includes(a.status)).length;
  const colours = { red: 0, yellow: 0, normal: 0 };
  for (const a of all)
    if (TABS.open!.includes(a.status) && a.timeStatus) colours[a.timeStatus as keyof typeof colours]++;
  return (
    <div className="page">
      <div className="page-head">
        <h1>{t('clerk.title')}</h1>
        <Link href="/clerk/new" className="button primary">
          {t('nav.newApplication')}
        </Link>
      </div>
      <div className="summary-row" data-testid="clerk-summary">
        <span className="pill ts-red">
          {t('time.red')} {colours.red}
        </span>
        <span className="pill ts-yellow">
          {t('time.yellow')} {colours.yellow}
        </span>
        <span className="pill ts-normal">
          {t('time.normal')} {colours.normal}
        </span>
        <button type="button" className="link" onClick={list.reload}>
          {t('common.refresh')}
        </button>
      </div>
      <Tabs
        keys={['open', 'ready', 'front', 'closed', 'all'] as const}
        current={tab}
        onSelect={setTab}
        label={(k) => `${t(`clerk.tab.${k}`)} (${k !== 'all' ? count(k) : all.length})`}
      />
      <Section title={t(`clerk.tab.${tab}`)}>
        <CaseList
          load={list}
          rows={rows}
          testId="applications"
          columns={[
            'app.number',
            'app.bundle',
            'app.applicant',
            'app.status',
            'app.deadline',
            'app.timeStatus',
          ]}
          row={(a) => (
            <tr key={a.id} className={`row-${a.timeStatus ?? 'none'}`} data-number={a.number}>
              <td>
                <Link href={`/clerk/applications/${encodeURIComponent(a.id)}`}>{a.number}</Link>
              </td>
              <td>{bundleName(a.bundleCode)}</td>
              <td>{a.applicant.name}</td>
              <td>
                <StatusTag status={a.status} />
              </td>
              <td>{formatDeadline(a.deadline)}</td>
              <td>
                {TABS.open!.includes(a.status) ? (
                  <TimeBadge status={a.timeStatus} />
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
            </tr>
          )}
        />
        {list.data && !list.data.complete && <p className="warn">{t('common.truncated')}</p>}
      </Section>
    </div>
  );
}
