/**
 * The dashboard's server calls: the supervisor's figures (GET /api/metrics/aggregates, computed on
 * the server within the supervisor's region) and their CSV export, downloaded with the session's
 * token and saved under the name the server gives.
 */
import type { Api } from '../api.js';
import type { AggregateReport } from '../../../engine/src/applications/aggregates.js';
import { ApiError, type ProblemBody } from '../lib/problems.js';

export type { AggregateReport };

export interface DashboardFilter {
  /** CST dates 'YYYY-MM-DD' (acceptance), inclusive; empty = open. */
  from: string;
  to: string;
  /** Administrative-division code, empty = the supervisor's whole region. */
  region: string;
}

export type CsvTable = 'departments' | 'bundles' | 'summary';

function search(filter: DashboardFilter, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...filter, ...extra })) if (v) params.set(k, v);
  const text = params.toString();
  return text ? `?${text}` : '';
}

export const loadAggregates = (api: Api, filter: DashboardFilter) =>
  api.request<AggregateReport>('GET', `/api/metrics/aggregates${search(filter)}`);

/** Names of the service network's regions by division code; none when the server has no network. */
export async function loadRegionNames(api: Api): Promise<Record<string, { zh: string; en: string }>> {
  try {
    const { items } = await api.request<{ items: { code: string; name: { zh: string; en: string } }[] }>(
      'GET',
      '/api/network/regions',
    );
    return Object.fromEntries(items.map((r) => [r.code, r.name]));
  } catch {
    return {};
  }
}

/** Fetches the server's CSV (bytes as sent, BOM included) and hands it to the browser as a download. */
export async function downloadCsv(api: Api, filter: DashboardFilter, table: CsvTable): Promise<void> {
  const res = await fetch(`/api/metrics/aggregates/csv${search(filter, { table })}`, {
    headers: {
      Accept: 'text/csv',
      'Accept-Language': api.lang === 'en' ? 'en' : 'zh-CN',
      ...(api.session ? { Authorization: `Bearer ${api.session.token}` } : {}),
    },
  });
  if (!res.ok) {
    const text = await res.text();
    let problem: ProblemBody;
    try {
      problem = JSON.parse(text) as ProblemBody;
    } catch {
      problem = { title: `HTTP ${res.status}`, detail: text.slice(0, 200) };
    }
    throw new ApiError(res.status, problem);
  }
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? `${table}.csv`;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
