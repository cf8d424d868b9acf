/** The department inbox: this department's tasks only (the server scopes them), by deadline, coloured. */
import { useState } from 'react';
import type { DepartmentTask } from '../api.js';
import { useApp } from '../context.js';
import { Link } from '../app.js';
import {
  formatDeadline,
  formatTime,
  Section,
  TimeBadge,
  Tabs,
  useCommand,
  useLoad,
} from '../components/common.js';
import { CaseList } from '../components/case-list.js';
import { useCatalogue } from '../components/catalogue.js';
import { byDeadline } from '../lib/time-status.js';
import { navigate } from '../router.js';

type Tab = 'todo' | 'waiting' | 'done';

export function tabOf(task: Pick<DepartmentTask, 'status' | 'waiting'>): Tab {
  // Not reached yet (an item before it is undecided): nothing to do for now.
  if (task.waiting) return 'waiting';
  if (task.status === 'reviewing') return 'todo';
  if (task.status === 'needs-supplement') return 'waiting';
  return 'done';
}

export function Inbox() {
  const { api, t, tx, session } = useApp();
  const { bundleName, departmentName } = useCatalogue();
  const [tab, setTab] = useState<Tab>('todo');
  const list = useLoad(
    () => api.all<DepartmentTask>((after) => api.tasks({ limit: 100, ...(after ? { after } : {}) })),
    [],
  );
  const { busy, error, run } = useCommand();
  const all = list.data?.items ?? [];
  const rows = byDeadline(all.filter((x) => tabOf(x) === tab));
  const me = session!.user;
  return (
    <div className="page">
      <div className="page-head">
        <h1>
          {t('inbox.title')} · {departmentName(me.department ?? '')}
        </h1>
        <button type="button" className="link" onClick={list.reload}>
          {t('common.refresh')}
        </button>
      </div>
      <Tabs
        keys={['todo', 'waiting', 'done'] as const}
        current={tab}
        onSelect={setTab}
        label={(k) => `${t(`inbox.tab.${k}`)} (${all.filter((x) => tabOf(x) === k).length})`}
      />
      <Section title={t(`inbox.tab.${tab}`)}>
        <CaseList
          load={list}
          error={list.error ?? error}
          rows={rows}
          testId="tasks"
          columns={[
            'app.number',
            'detail.item',
            'app.bundle',
            'inbox.received',
            'app.deadline',
            'app.timeStatus',
            'inbox.claimedBy',
            <span className="sr-only">{t('common.actions')}</span>,
          ]}
          row={(task) => (
            <tr
              key={task.id}
              className={`row-${task.timeStatus ?? 'none'}`}
              data-task={task.id}
              data-number={task.applicationNumber}
            >
              <td>
                <Link href={`/inbox/${encodeURIComponent(task.id)}`}>{task.applicationNumber}</Link>
              </td>
              <td>{tx(task.itemName)}</td>
              <td>{bundleName(task.bundleCode)}</td>
              <td>{formatTime(task.createdAt)}</td>
              <td>{formatDeadline(task.deadline)}</td>
              <td>
                {tab === 'done' ? (
                  <span className={`status item-${task.status}`}>{t(`item.${task.status}`)}</span>
                ) : (
                  <TimeBadge status={task.timeStatus} remaining={task.remainingWorkingDays} />
                )}
              </td>
              <td>{task.claimedBy ?? '—'}</td>
              <td>
                {tab === 'todo' && !task.claimedBy ? (
                  <button
                    type="button"
                    disabled={busy}
                    onClick={() =>
                      run(async () => {
                        await api.claim(task.id);
                        navigate(`/inbox/${encodeURIComponent(task.id)}`);
                      })
                    }
                  >
                    {t('inbox.claim')}
                  </button>
                ) : (
                  <Link href={`/inbox/${encodeURIComponent(task.id)}`}>{t('inbox.open')}</Link>
                )}
              </td>
            </tr>
          )}
        />
      </Section>
    </div>
  );
}
