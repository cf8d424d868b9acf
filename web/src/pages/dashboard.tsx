/**
 * The supervisor's dashboard (电子监察): on-time completion, average working days per bundle and
 * per department, backlog with yellow/red per department, evaluations, incidents; filtered by
 * date range and region; CSV export. The API has no aggregate endpoint beyond counts by status
 * (/api/metrics), so the figures are computed here from the applications and tasks the
 * supervisor may list (lib/metrics.ts), with the national working-day calendar.
 */
import { useMemo, useState } from 'react';
import type { Application, DepartmentTask, Incident } from '../api.js';
import { useApp } from '../context.js';
import { ErrorBanner, formatTime, Loading, Section, useLoad } from '../components/common.js';
import { useCatalogue } from '../components/catalogue.js';
import { Chart } from '../components/chart.js';
import { computeDashboard, type DashboardFilter } from '../lib/metrics.js';
import { toCsv } from '../lib/csv.js';
import { timeStatusStyle } from '../lib/time-status.js';
import { WorkingCalendar } from '../../../engine/src/jobs/calendar/calendar.js';
import { parseCalendarFile } from '../../../engine/src/jobs/calendar/data.js';
import cnCalendar from '../../../engine/src/jobs/calendar/data/CN.json';

const calendar = new WorkingCalendar([parseCalendarFile(cnCalendar, 'CN.json')]);
const isWorking = (day: number) => calendar.isWorking(day);

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);
const days = (x: number | null) => (x === null ? '—' : x > 0 && x < 0.01 ? '<0.01' : x.toFixed(2));

function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function Dashboard() {
  const { api, t, tx, session } = useApp();
  const { bundleName, departmentName } = useCatalogue();
  const data = useLoad(async () => {
    const [apps, tasks, incidents, counts] = await Promise.all([
      api.all<Application>((after) => api.applications({ limit: 100, ...(after ? { after } : {}) })),
      api.all<DepartmentTask>((after) => api.tasks({ limit: 100, ...(after ? { after } : {}) })),
      api.all<Incident>((after) => api.incidents(after)),
      api.metrics(),
    ]);
    return { apps, tasks, incidents, counts, at: Date.now() };
  }, []);
  const [filter, setFilter] = useState<DashboardFilter>({ from: '', to: '', region: '' });
  const figures = useMemo(
    () =>
      data.data
        ? computeDashboard(data.data.apps.items, data.data.tasks.items, filter, isWorking)
        : undefined,
    [data.data, filter],
  );
  const regions = useMemo(
    () => [...new Set((data.data?.apps.items ?? []).map((a) => a.region).filter(Boolean) as string[])].sort(),
    [data.data],
  );

  const charts = useMemo(() => {
    if (!figures) return null;
    const bundles = figures.byBundle.map((b) => bundleName(b.key));
    const deps = figures.byDepartment.map((d) => departmentName(d.key));
    const axis = { axisLabel: { interval: 0, rotate: 30, fontSize: 11 } };
    return {
      onTime: {
        tooltip: { trigger: 'axis' },
        grid: { left: 50, right: 20, bottom: 80, top: 30 },
        xAxis: { type: 'category', data: bundles, ...axis },
        yAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
        series: [
          {
            type: 'bar',
            barMaxWidth: 48,
            name: t('dash.onTimeRate'),
            data: figures.byBundle.map((b) =>
              b.onTimeRate === null ? null : +(b.onTimeRate * 100).toFixed(1),
            ),
            itemStyle: { color: '#2e7d32' },
            label: { show: true, position: 'top', formatter: '{c}%' },
          },
        ],
      },
      daysBundle: {
        tooltip: { trigger: 'axis' },
        grid: { left: 50, right: 20, bottom: 80, top: 30 },
        xAxis: { type: 'category', data: bundles, ...axis },
        yAxis: { type: 'value', name: t('dash.workingDays') },
        series: [
          {
            type: 'bar',
            barMaxWidth: 48,
            name: t('dash.avgDays'),
            data: figures.byBundle.map((b) => (b.averageDays === null ? null : +b.averageDays.toFixed(2))),
            itemStyle: { color: '#1565c0' },
          },
        ],
      },
      daysDept: {
        tooltip: { trigger: 'axis' },
        grid: { left: 50, right: 20, bottom: 100, top: 30 },
        xAxis: { type: 'category', data: deps, ...axis },
        yAxis: { type: 'value', name: t('dash.workingDays') },
        series: [
          {
            type: 'bar',
            barMaxWidth: 48,
            name: t('dash.avgDays'),
            data: figures.byDepartment.map((d) =>
              d.averageDays === null ? null : +d.averageDays.toFixed(2),
            ),
            itemStyle: { color: '#6a1b9a' },
          },
        ],
      },
      backlog: {
        tooltip: { trigger: 'axis' },
        legend: { top: 0 },
        grid: { left: 40, right: 20, bottom: 100, top: 40 },
        xAxis: { type: 'category', data: deps, ...axis },
        yAxis: { type: 'value', minInterval: 1 },
        series: (['normal', 'yellow', 'red'] as const).map((k) => ({
          type: 'bar',
          barMaxWidth: 48,
          stack: 'backlog',
          name: t(`time.${k}`),
          data: figures.byDepartment.map((d) => d[k]),
          itemStyle: { color: timeStatusStyle(k).colour },
        })),
      },
      evaluations: {
        tooltip: { trigger: 'item' },
        legend: { bottom: 0 },
        series: [
          {
            type: 'pie',
            radius: ['35%', '65%'],
            data: figures.evaluations.map((n, i) => ({ name: t(`eval.level.${i + 1}`), value: n })).reverse(),
            color: ['#2e7d32', '#66bb6a', '#fdd835', '#fb8c00', '#c62828'],
            label: { formatter: '{b}: {c}' },
          },
        ],
      },
    };
  }, [figures, bundleName, departmentName, t]);

  if (data.loading && !data.data) return <Loading />;
  if (data.error) return <ErrorBanner error={data.error} />;
  if (!figures || !charts || !data.data) return null;
  const incidents = data.data.incidents.items;

  const exportDepartments = () =>
    download(
      `departments-${new Date().toISOString().slice(0, 10)}.csv`,
      toCsv(figures.byDepartment, [
        { header: t('detail.department'), value: (d) => departmentName(d.key) },
        { header: 'code', value: (d) => d.key },
        { header: t('dash.backlog'), value: (d) => d.backlog },
        { header: t('time.yellow'), value: (d) => d.yellow },
        { header: t('time.red'), value: (d) => d.red },
        { header: t('dash.finished'), value: (d) => d.finished },
        {
          header: t('dash.onTimeRate'),
          value: (d) => (d.onTimeRate === null ? '' : +(d.onTimeRate * 100).toFixed(1)),
        },
        {
          header: t('dash.avgDays'),
          value: (d) => (d.averageDays === null ? '' : +d.averageDays.toFixed(2)),
        },
      ]),
    );
  const exportApplications = () =>
    download(
      `applications-${new Date().toISOString().slice(0, 10)}.csv`,
      toCsv(data.data!.apps.items, [
        { header: t('app.number'), value: (a) => a.number },
        { header: t('app.bundle'), value: (a) => bundleName(a.bundleCode) },
        { header: t('dash.region'), value: (a) => a.region ?? '' },
        { header: t('app.status'), value: (a) => t(`status.${a.status}`) },
        { header: t('detail.acceptedAt'), value: (a) => formatTime(a.acceptedAt) },
        { header: t('app.deadline'), value: (a) => formatTime(a.deadline) },
        { header: t('app.timeStatus'), value: (a) => (a.timeStatus ? t(`time.${a.timeStatus}`) : '') },
        { header: t('dash.evaluation'), value: (a) => a.evaluations.map((e) => e.level).join(' ') },
      ]),
    );

  return (
    <div className="page dashboard">
      <div className="page-head">
        <h1>{t('dash.title')}</h1>
        <div className="card-actions">
          <span className="muted small">
            {t('dash.asOf', { time: formatTime(data.data.at) })} · {session?.user.region ?? ''}
          </span>
          <button type="button" className="link" onClick={data.reload}>
            {t('common.refresh')}
          </button>
        </div>
      </div>
      <form className="filters card" onSubmit={(e) => e.preventDefault()} aria-label={t('dash.filters')}>
        <label>
          {t('dash.from')}
          <input
            type="date"
            name="from"
            value={filter.from}
            onChange={(e) => setFilter({ ...filter, from: e.target.value })}
          />
        </label>
        <label>
          {t('dash.to')}
          <input
            type="date"
            name="to"
            value={filter.to}
            onChange={(e) => setFilter({ ...filter, to: e.target.value })}
          />
        </label>
        <label>
          {t('dash.region')}
          <select
            name="region"
            value={filter.region}
            onChange={(e) => setFilter({ ...filter, region: e.target.value })}
          >
            <option value="">{t('dash.allRegions')}</option>
            {regions.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={exportDepartments} data-testid="csv-departments">
          {t('dash.csvDepartments')}
        </button>
        <button type="button" onClick={exportApplications} data-testid="csv-applications">
          {t('dash.csvApplications')}
        </button>
      </form>
      <div className="kpis" data-testid="kpis">
        <Kpi label={t('dash.applications')} value={figures.applications} name="applications" />
        <Kpi label={t('dash.open')} value={figures.open} name="open" />
        <Kpi label={t('dash.finished')} value={figures.finished} name="finished" />
        <Kpi label={t('dash.onTimeRate')} value={pct(figures.onTimeRate)} name="onTimeRate" />
        <Kpi label={t('dash.avgDays')} value={days(figures.averageDays)} name="avgDays" />
        <Kpi label={t('time.yellow')} value={figures.timeStatus.yellow} name="yellow" className="ts-yellow" />
        <Kpi label={t('time.red')} value={figures.timeStatus.red} name="red" className="ts-red" />
        <Kpi label={t('dash.satisfaction')} value={pct(figures.satisfaction)} name="satisfaction" />
        <Kpi
          label={t('dash.badReviews')}
          value={`${figures.badReviews} / ${figures.badReviewsOpen}`}
          name="badReviews"
        />
        <Kpi
          label={t('dash.incidents')}
          value={incidents.length}
          name="incidents"
          className={incidents.length ? 'ts-red' : ''}
        />
      </div>
      {(!data.data.apps.complete || !data.data.tasks.complete) && (
        <p className="warn">{t('common.truncated')}</p>
      )}
      <div className="chart-grid">
        <Section title={t('dash.onTimeByBundle')}>
          <Chart option={charts.onTime} label={t('dash.onTimeByBundle')} />
        </Section>
        <Section title={t('dash.daysByBundle')}>
          <Chart option={charts.daysBundle} label={t('dash.daysByBundle')} />
        </Section>
        <Section title={t('dash.daysByDepartment')}>
          <Chart option={charts.daysDept} label={t('dash.daysByDepartment')} />
        </Section>
        <Section title={t('dash.backlogByDepartment')}>
          <Chart option={charts.backlog} label={t('dash.backlogByDepartment')} />
        </Section>
        <Section title={t('dash.evaluations')}>
          <Chart option={charts.evaluations} label={t('dash.evaluations')} />
        </Section>
        <Section title={t('dash.incidentList')}>
          {incidents.length === 0 ? (
            <p className="muted">{t('dash.noIncidents')}</p>
          ) : (
            <table className="list small">
              <thead>
                <tr>
                  <th>{t('dash.instance')}</th>
                  <th>{t('dash.element')}</th>
                  <th>{t('dash.message')}</th>
                  <th>{t('dash.time')}</th>
                </tr>
              </thead>
              <tbody>
                {incidents.map((i) => (
                  <tr key={i.instanceId}>
                    <td>
                      {i.processId} · {i.businessKey ?? i.instanceId}
                    </td>
                    <td>{i.incident?.elementId ?? '—'}</td>
                    <td>{i.incident?.message ?? '—'}</td>
                    <td>{formatTime(i.incident?.at ?? i.updatedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Section>
      </div>
      <Section title={t('dash.departmentTable')}>
        <table className="list" data-testid="department-table">
          <thead>
            <tr>
              <th>{t('detail.department')}</th>
              <th>{t('dash.backlog')}</th>
              <th>{t('time.yellow')}</th>
              <th>{t('time.red')}</th>
              <th>{t('dash.finished')}</th>
              <th>{t('dash.onTimeRate')}</th>
              <th>{t('dash.avgDays')}</th>
            </tr>
          </thead>
          <tbody>
            {figures.byDepartment.map((d) => (
              <tr key={d.key} data-department={d.key}>
                <td>{departmentName(d.key)}</td>
                <td>{d.backlog}</td>
                <td>{d.yellow}</td>
                <td>{d.red}</td>
                <td>{d.finished}</td>
                <td>{pct(d.onTimeRate)}</td>
                <td>{days(d.averageDays)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted small">
          {t('dash.source')}
          {tx({
            zh: `服务端计数：共 ${data.data.counts.applications.total} 件`,
            en: `server count: ${data.data.counts.applications.total} applications`,
          })}
        </p>
      </Section>
    </div>
  );
}

function Kpi({
  label,
  value,
  name,
  className,
}: {
  label: string;
  value: string | number;
  name: string;
  className?: string;
}) {
  return (
    <div className={`kpi ${className ?? ''}`} data-kpi={name}>
      <div className="kpi-value">{value}</div>
      <div className="kpi-label">{label}</div>
    </div>
  );
}
