/**
 * The supervisor's dashboard (电子监察): on-time completion, average working days per bundle and
 * per department, backlog with yellow/red per department, evaluations, bad-review rectification,
 * incidents; filtered by acceptance date and region; CSV export. Every figure comes from the
 * server (GET /api/metrics/aggregates), computed there within the supervisor's region with the
 * working-day calendar; the CSV files are the server's too.
 */
import { useMemo, useState } from 'react';
import { useApp } from '../context.js';
import {
  ErrorBanner,
  FieldError,
  formatTime,
  Loading,
  Section,
  useCommand,
  useLoad,
} from '../components/common.js';
import { useCatalogue } from '../components/catalogue.js';
import { Chart } from '../components/chart.js';
import { fieldMessage } from '../lib/problems.js';
import { timeStatusStyle } from '../lib/time-status.js';
import {
  downloadCsv,
  loadAggregates,
  loadRegionNames,
  type CsvTable,
  type DashboardFilter,
} from './dashboard-data.js';

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);
const days = (x: number | null) => (x === null ? '—' : x > 0 && x < 0.01 ? '<0.01' : x.toFixed(2));

export function Dashboard() {
  const { api, t, tx, lang, session } = useApp();
  const { bundleName, departmentName } = useCatalogue();
  const [filter, setFilter] = useState<DashboardFilter>({ from: '', to: '', region: '' });
  const data = useLoad(() => loadAggregates(api, filter), [filter.from, filter.to, filter.region]);
  const exporting = useCommand();
  const regionNames = useLoad(() => loadRegionNames(api), []).data ?? {};
  const regionLabel = (code: string) => (regionNames[code] ? `${tx(regionNames[code]!)} ${code}` : code);
  const [regions, setRegions] = useState<string[]>([]);
  const figures = data.data;
  // The region list comes with the figures (districts with cases in the supervisor's scope and the
  // period asked for): each report's are added to those shown, so a period never takes one away.
  if (figures && figures.regions.some((r) => !regions.includes(r)))
    setRegions([...new Set([...regions, ...figures.regions])].sort());
  const problems = data.error?.fieldErrors ?? [];
  const fieldError = (name: string) => fieldMessage(problems, name, lang);

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
            data: figures.evaluations
              .map((n: number, i: number) => ({ name: t(`eval.level.${i + 1}`), value: n }))
              .reverse(),
            color: ['#2e7d32', '#66bb6a', '#fdd835', '#fb8c00', '#c62828'],
            label: { formatter: '{b}: {c}' },
          },
        ],
      },
      rectifications: {
        tooltip: { trigger: 'axis' },
        grid: { left: 40, right: 20, bottom: 60, top: 30 },
        xAxis: {
          type: 'category',
          data: Object.keys(figures.rectifications.byStatus).map((k) => t(`rect.${k}`)),
          axisLabel: { interval: 0, rotate: 20, fontSize: 11 },
        },
        yAxis: { type: 'value', minInterval: 1 },
        series: [
          {
            type: 'bar',
            barMaxWidth: 40,
            name: t('eval.rectification'),
            // The server lists every state in workflow order.
            data: Object.values(figures.rectifications.byStatus),
            itemStyle: { color: '#ef6c00' },
          },
        ],
      },
    };
  }, [figures, bundleName, departmentName, t]);

  if (data.loading && !figures && !data.error) return <Loading />;
  const incidents = figures?.incidents.items ?? [];
  const exportCsv = (table: CsvTable) => exporting.run(() => downloadCsv(api, filter, table));

  return (
    <div className="page dashboard">
      <div className="page-head">
        <h1>{t('dash.title')}</h1>
        <div className="card-actions">
          <span className="muted small">
            {figures ? t('dash.asOf', { time: formatTime(figures.generatedAt) }) : ''} ·{' '}
            {session?.user.region ? regionLabel(session.user.region) : ''}
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
            aria-describedby="from-error"
          />
          <FieldError id="from-error" message={fieldError('from')} />
        </label>
        <label>
          {t('dash.to')}
          <input
            type="date"
            name="to"
            value={filter.to}
            onChange={(e) => setFilter({ ...filter, to: e.target.value })}
            aria-describedby="to-error"
          />
          <FieldError id="to-error" message={fieldError('to')} />
        </label>
        <label>
          {t('dash.region')}
          <select
            name="region"
            value={filter.region}
            onChange={(e) => setFilter({ ...filter, region: e.target.value })}
            aria-describedby="region-error"
          >
            <option value="">{t('dash.allRegions')}</option>
            {regions.map((r) => (
              <option key={r} value={r}>
                {regionLabel(r)}
              </option>
            ))}
          </select>
          <FieldError id="region-error" message={fieldError('region')} />
        </label>
        <button
          type="button"
          onClick={() => exportCsv('departments')}
          disabled={exporting.busy || !figures}
          data-testid="csv-departments"
        >
          {t('dash.csvDepartments')}
        </button>
        <button
          type="button"
          onClick={() => exportCsv('bundles')}
          disabled={exporting.busy || !figures}
          data-testid="csv-bundles"
        >
          {tx({ zh: '导出各一件事统计 CSV', en: 'Bundles as CSV' })}
        </button>
        <button
          type="button"
          onClick={() => exportCsv('summary')}
          disabled={exporting.busy || !figures}
          data-testid="csv-summary"
        >
          {tx({ zh: '导出总体指标 CSV', en: 'Summary as CSV' })}
        </button>
      </form>
      <ErrorBanner error={data.error ?? exporting.error} showFields={false} />
      {data.loading && figures && <p className="muted small">{t('common.working')}</p>}
      {figures && charts && !data.error && (
        <>
          <div className="kpis" data-testid="kpis">
            <Kpi label={t('dash.applications')} value={figures.applications} name="applications" />
            <Kpi label={t('dash.open')} value={figures.open} name="open" />
            <Kpi label={t('dash.finished')} value={figures.finished} name="finished" />
            <Kpi label={t('dash.onTimeRate')} value={pct(figures.onTimeRate)} name="onTimeRate" />
            <Kpi label={t('dash.avgDays')} value={days(figures.averageDays)} name="avgDays" />
            <Kpi
              label={t('time.yellow')}
              value={figures.timeStatus.yellow}
              name="yellow"
              className="ts-yellow"
            />
            <Kpi label={t('time.red')} value={figures.timeStatus.red} name="red" className="ts-red" />
            <Kpi label={t('dash.satisfaction')} value={pct(figures.satisfaction)} name="satisfaction" />
            <Kpi
              label={t('dash.badReviews')}
              value={`${figures.badReviews} / ${figures.rectifications.open}`}
              name="badReviews"
            />
            <Kpi
              label={tx({ zh: '差评整改率', en: 'Rectification rate' })}
              value={pct(figures.rectifications.rate)}
              name="rectificationRate"
            />
            <Kpi
              label={tx({ zh: '整改超期', en: 'Rectification overdue' })}
              value={figures.rectifications.overdue}
              name="rectificationOverdue"
              className={figures.rectifications.overdue ? 'ts-red' : ''}
            />
            <Kpi
              label={t('dash.incidents')}
              value={figures.incidents.count}
              name="incidents"
              className={figures.incidents.count ? 'ts-red' : ''}
            />
          </div>
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
            <Section title={tx({ zh: '差评整改进度', en: 'Bad-review rectification' })}>
              <Chart
                option={charts.rectifications}
                label={tx({ zh: '差评整改进度', en: 'Bad-review rectification' })}
              />
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
                        <td>{i.elementId ?? '—'}</td>
                        <td>{i.message ?? '—'}</td>
                        <td>{formatTime(i.at)}</td>
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
            <p className="muted small">{t('dash.source')}</p>
          </Section>
        </>
      )}
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
