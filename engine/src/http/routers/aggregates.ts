/**
 * The supervisor's figures, computed on the server within the supervisor's region: JSON for the
 * dashboard, CSV (UTF-8 with a BOM, so Excel opens Chinese text) for export.
 */
import {
  AggregateService,
  type AggregateFilter,
  type AggregateReport,
} from '../../applications/aggregates.js';
import { workingDaysOf } from '../../applications/case-figures.js';
import { workingTimeLimits } from '../../applications/working-time.js';
import type { Actor } from '../../domain/actor.js';
import type { Text } from '../../domain/errors.js';
import { openIncidents } from '../../runtime/incident.js';
import type { AppContext } from '../context.js';
import { toCsv, type CsvColumn } from '../csv.js';
import { scrubText } from '../logging.js';
import type { Lang } from '../problem.js';
import type { Resource } from '../route.js';
import { reply } from '../route.js';
import { named } from '../schemas.js';

const date = {
  type: 'string',
  pattern: '^\\d{4}-\\d{2}-\\d{2}$',
  description: 'CST date YYYY-MM-DD, inclusive; applied to acceptance time',
};
const filterQuery = {
  from: date,
  to: date,
  region: {
    type: 'string',
    pattern: '^\\d{2,12}$',
    description: 'Administrative-division code: 440305 a district, 440300 a city, 44 a province',
  },
};

const rateOrNull = { type: ['number', 'null'] };
const counts = { type: 'object', additionalProperties: { type: 'integer' } };
const group = {
  key: { type: 'string' },
  finished: { type: 'integer' },
  onTime: { type: 'integer' },
  onTimeRate: rateOrNull,
  averageDays: rateOrNull,
};

export const Aggregates = named('Aggregates', {
  type: 'object',
  description:
    'Supervisor figures over the applications accepted in the date range and region: on-time rate (finished within the promised limit / finished), average working days (acceptance → results, minus supplement and special-step pauses), backlog and yellow/red per department, evaluations (count per level 1–5), bad-review rectification, incidents.',
  properties: {
    filter: { type: 'object', properties: filterQuery },
    scope: { type: 'string' },
    regions: { type: 'array', items: { type: 'string' } },
    generatedAt: { type: 'integer' },
    applications: { type: 'integer' },
    accepted: { type: 'integer' },
    open: { type: 'integer' },
    finished: { type: 'integer' },
    onTime: { type: 'integer' },
    onTimeRate: rateOrNull,
    averageDays: rateOrNull,
    byStatus: counts,
    timeStatus: counts,
    byBundle: {
      type: 'array',
      items: { type: 'object', properties: { ...group, applications: { type: 'integer' } } },
    },
    byDepartment: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          ...group,
          backlog: { type: 'integer' },
          normal: { type: 'integer' },
          yellow: { type: 'integer' },
          red: { type: 'integer' },
        },
      },
    },
    evaluations: { type: 'array', items: { type: 'integer' }, minItems: 5, maxItems: 5 },
    satisfaction: rateOrNull,
    badReviews: { type: 'integer' },
    rectifications: {
      type: 'object',
      properties: {
        total: { type: 'integer' },
        byStatus: counts,
        open: { type: 'integer' },
        overdue: { type: 'integer' },
        done: { type: 'integer' },
        onTime: { type: 'integer' },
        rate: rateOrNull,
      },
    },
    incidents: {
      type: 'object',
      properties: { count: { type: 'integer' }, items: { type: 'array', items: { type: 'object' } } },
    },
  },
  required: ['applications', 'byBundle', 'byDepartment', 'evaluations', 'rectifications', 'incidents'],
});

type Names = { bundle(code: string): string; department(code: string): string };

const pct = (x: number | null) => (x === null ? '' : +(x * 100).toFixed(1));
const days = (x: number | null) => (x === null ? '' : +x.toFixed(2));
const h = (lang: Lang, zh: string, en: string) => (lang === 'en' ? en : zh);

function departmentCsv(report: AggregateReport, names: Names, lang: Lang): string {
  type Row = AggregateReport['byDepartment'][number];
  const columns: CsvColumn<Row>[] = [
    { header: h(lang, '部门', 'Department'), value: (d) => names.department(d.key) },
    { header: h(lang, '部门代码', 'Code'), value: (d) => d.key },
    { header: h(lang, '在办', 'Open'), value: (d) => d.backlog },
    { header: h(lang, '正常', 'On time'), value: (d) => d.normal },
    { header: h(lang, '预警', 'Warning'), value: (d) => d.yellow },
    { header: h(lang, '超期', 'Overdue'), value: (d) => d.red },
    { header: h(lang, '已办结', 'Finished'), value: (d) => d.finished },
    { header: h(lang, '按时办结', 'Finished on time'), value: (d) => d.onTime },
    { header: h(lang, '按时办结率(%)', 'On-time rate (%)'), value: (d) => pct(d.onTimeRate) },
    { header: h(lang, '平均用时(工作日)', 'Average working days'), value: (d) => days(d.averageDays) },
  ];
  return toCsv(report.byDepartment, columns);
}

function bundleCsv(report: AggregateReport, names: Names, lang: Lang): string {
  type Row = AggregateReport['byBundle'][number];
  const columns: CsvColumn<Row>[] = [
    { header: h(lang, '一件事', 'Bundle'), value: (b) => names.bundle(b.key) },
    { header: h(lang, '代码', 'Code'), value: (b) => b.key },
    { header: h(lang, '办件数', 'Applications'), value: (b) => b.applications },
    { header: h(lang, '已办结', 'Finished'), value: (b) => b.finished },
    { header: h(lang, '按时办结', 'Finished on time'), value: (b) => b.onTime },
    { header: h(lang, '按时办结率(%)', 'On-time rate (%)'), value: (b) => pct(b.onTimeRate) },
    { header: h(lang, '平均用时(工作日)', 'Average working days'), value: (b) => days(b.averageDays) },
  ];
  return toCsv(report.byBundle, columns);
}

/** One row per figure: the totals a report to the next level up asks for. */
function summaryCsv(report: AggregateReport, lang: Lang): string {
  const r = report.rectifications;
  const rows: [string, string, unknown][] = [
    ['办件数', 'Applications', report.applications],
    ['已受理', 'Accepted', report.accepted],
    ['在办', 'Open', report.open],
    ['已办结', 'Finished', report.finished],
    ['按时办结', 'Finished on time', report.onTime],
    ['按时办结率(%)', 'On-time rate (%)', pct(report.onTimeRate)],
    ['平均用时(工作日)', 'Average working days', days(report.averageDays)],
    ['预警', 'Warning (yellow)', report.timeStatus.yellow],
    ['超期', 'Overdue (red)', report.timeStatus.red],
    ...report.evaluations.map((n, i): [string, string, unknown] => [
      `评价 ${i + 1} 星`,
      `Evaluations level ${i + 1}`,
      n,
    ]),
    ['满意率(%)', 'Satisfaction (%)', pct(report.satisfaction)],
    ['差评', 'Bad reviews', report.badReviews],
    ['差评整改件', 'Rectification cases', r.total],
    ['整改中', 'Rectification open', r.open],
    ['整改超期', 'Rectification overdue', r.overdue],
    ['已反馈或办结', 'Fed back or closed', r.done],
    ['整改率(%)', 'Rectification rate (%)', pct(r.rate)],
    ['流程异常', 'Incidents', report.incidents.count],
  ];
  return toCsv(rows, [
    { header: h(lang, '指标', 'Figure'), value: (x) => h(lang, x[0], x[1]) },
    { header: h(lang, '数值', 'Value'), value: (x) => x[2] },
  ]);
}

export function aggregateResource(deps: AppContext, service: AggregateService): Resource {
  /** Bundle and department names from the deployed bundles, in the reader's language. */
  const namesFor = async (actor: Actor, lang: Lang): Promise<Names> => {
    const bundles = new Map<string, Text>();
    const departments = new Map<string, Text>();
    for (const summary of await deps.centre.listBundles(actor)) {
      bundles.set(summary.code, summary.name);
      const record = await deps.centre.getBundle(actor, summary.code);
      for (const d of record.definition.departments) departments.set(d.code, d.name);
    }
    return {
      bundle: (code) => bundles.get(code)?.[lang] ?? code,
      department: (code) =>
        code === 'window' ? h(lang, '综合窗口', 'Window') : (departments.get(code)?.[lang] ?? code),
    };
  };
  return {
    name: 'aggregates',
    description: {
      zh: '效能监察统计（服务端按辖区计算）',
      en: 'Supervisor figures, computed on the server within your region',
    },
    base: '/api/metrics/aggregates',
    routes: [
      {
        method: 'get',
        path: '',
        operationId: 'aggregates.get',
        summary: {
          zh: '按时办结率、平均用时、各部门积压与预警超期、好差评、差评整改、流程异常（按受理日期与行政区划筛选）',
          en: 'On-time rate, average working days, backlog and yellow/red per department, evaluations, rectification, incidents (by acceptance date and region)',
        },
        roles: ['supervisor'],
        query: filterQuery,
        response: { schema: Aggregates },
        errors: [422],
        handler: async ({ actor, query }) => service.report(actor, query as AggregateFilter),
      },
      {
        method: 'get',
        path: '/csv',
        operationId: 'aggregates.csv',
        summary: {
          zh: '导出 CSV（UTF-8 带 BOM）：departments 部门统计、bundles 各一件事、summary 总体指标',
          en: 'CSV export (UTF-8 with BOM): departments, bundles or summary',
        },
        roles: ['supervisor'],
        query: {
          ...filterQuery,
          table: { enum: ['departments', 'bundles', 'summary'], default: 'departments' },
        },
        response: {
          schema: { type: 'string' },
          contentType: 'text/csv; charset=utf-8',
          description: { zh: 'CSV 文件', en: 'A CSV file' },
        },
        errors: [422],
        handler: async ({ actor, query, lang }) => {
          const { table, ...filter } = query as AggregateFilter & { table: string };
          const report = await service.report(actor, filter);
          const body =
            table === 'summary'
              ? summaryCsv(report, lang)
              : table === 'bundles'
                ? bundleCsv(report, await namesFor(actor, lang), lang)
                : departmentCsv(report, await namesFor(actor, lang), lang);
          const day = new Date(report.generatedAt + 8 * 3_600_000).toISOString().slice(0, 10);
          return reply({
            body,
            headers: {
              'Content-Type': 'text/csv; charset=utf-8',
              'Content-Disposition': `attachment; filename="${table}-${day}.csv"`,
            },
          });
        },
      },
    ],
  };
}

/**
 * The service on the app's store and engine. Each case is read as its figures row, its working days
 * counted (on its region's and its deciding offices' calendars) when the Centre saved it. It reads the sealed documents: no figure shows an ID number or a
 * phone, and decrypting every sensitive field of every case was over half of a report's time.
 */
export function aggregateService(
  deps: Pick<AppContext, 'sealedDocs' | 'engine' | 'clock'>,
): AggregateService {
  return new AggregateService({
    docs: deps.sealedDocs,
    clock: deps.clock,
    // Only for a case without a figures row yet: the days the Centre counts them on (case-figures.ts).
    isWorking: workingDaysOf(workingTimeLimits()),
    incidents: async () =>
      (await deps.engine.store.listInstances({ status: 'incident' }, { limit: 100_000 })).map((r) => {
        const oldest = openIncidents(r.state)[0]; // one row per instance
        return {
          instanceId: r.id,
          processId: r.processId,
          ...(r.businessKey !== undefined ? { businessKey: r.businessKey } : {}),
          ...(oldest
            ? { elementId: oldest.elementId, message: scrubText(oldest.message), at: oldest.at }
            : {}),
        };
      }),
  });
}
