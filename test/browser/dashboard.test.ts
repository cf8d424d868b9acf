/**
 * The supervisor's dashboard in Chromium against the real server (engine/src/server.ts start():
 * SQLite in a temporary directory, the example bundles seeded, web/dist served at /). Cases are
 * made through the HTTP API — one finished and given a bad review, one open in clerk1's district,
 * one open in clerk2's — and every figure the page shows is checked against
 * GET /api/metrics/aggregates for the same user and filter; the CSV the page downloads is the
 * server's, byte for byte, with its BOM. The applicant's evaluation page shows the rectification
 * case's real status. Screenshots go to test/browser/artifacts/dashboard/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { start, type RunningServer } from '../../engine/src/server.js';
import { createLogger } from '../../engine/src/http/logging.js';
import { approvalOf } from '../../engine/src/testing/item-outputs.js';
import { launchChromium } from './chromium.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies of the API under test
type Json = any;

const root = fileURLToPath(new URL('../..', import.meta.url));
const artifacts = fileURLToPath(new URL('./artifacts/dashboard/', import.meta.url));
const request = (name: string) =>
  JSON.parse(readFileSync(join(root, 'examples/requests', name), 'utf8')) as Json;
/** Business start-up items in the order the process opens them (registration first). */
const DEPARTMENTS = [
  'market-regulation',
  'public-security',
  'tax',
  'hrss',
  'medical-security',
  'housing-fund',
  'bank',
];

let server: RunningServer;
let dataDir: string;
let browser: Browser;
const pageErrors: string[] = [];
const tokens = new Map<string, string>();

async function token(user: string): Promise<string> {
  if (!tokens.has(user)) {
    const res = await fetch(`${server.url}/api/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: user, password: `${user}pass` }),
    });
    tokens.set(user, ((await res.json()) as Json).access_token);
  }
  return tokens.get(user)!;
}

async function api(user: string, method: string, path: string, body?: unknown): Promise<Json> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${await token(user)}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} as ${user}: ${res.status} ${text.slice(0, 400)}`);
  return text ? JSON.parse(text) : undefined;
}

async function acceptedBy(clerk: string): Promise<string> {
  const app = await api(clerk, 'POST', '/api/applications', request('business-startup-application.json'));
  await api(clerk, 'POST', `/api/applications/${app.id}/submit`);
  await api(clerk, 'POST', `/api/applications/${app.id}/accept`, request('business-startup-accept.json'));
  return app.id;
}

async function approveAll(appId: string): Promise<void> {
  for (const department of DEPARTMENTS) {
    const user = `${department}1`;
    const tasks = await api(user, 'GET', '/api/tasks?state=open&limit=100');
    for (const task of tasks.items.filter((t: Json) => t.applicationId === appId))
      await api(user, 'POST', `/api/tasks/${encodeURIComponent(task.id)}/approve`, approvalOf(task.item));
  }
}

async function login(page: Page, username: string, path: string) {
  await page.goto(`${server.url}${path}`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', `${username}pass`);
  await page.click('button[type=submit]');
  await page.locator('[data-testid=who]').waitFor();
}

async function newPage(): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1366, height: 900 },
    locale: 'zh-CN',
    acceptDownloads: true,
  });
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) pageErrors.push(m.text());
  });
  return page;
}

/** The KPI values as shown, by name. */
async function kpis(page: Page): Promise<Record<string, string>> {
  await page.locator('[data-testid=kpis]').waitFor();
  return page.$$eval('[data-kpi]', (els) =>
    Object.fromEntries(
      els.map((e) => [e.getAttribute('data-kpi'), e.querySelector('.kpi-value')!.textContent!]),
    ),
  );
}

/** The department table as shown: code → [backlog, yellow, red, finished]. */
async function departmentRows(page: Page): Promise<Record<string, string[]>> {
  return page.$$eval('[data-testid=department-table] tr[data-department]', (rows) =>
    Object.fromEntries(
      rows.map((r) => [
        r.getAttribute('data-department'),
        Array.from(r.querySelectorAll('td'))
          .slice(1, 5)
          .map((td) => td.textContent ?? ''),
      ]),
    ),
  );
}

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);
const days = (x: number | null) => (x === null ? '—' : x > 0 && x < 0.01 ? '<0.01' : x.toFixed(2));

/** What the page must show for a report of the API. */
function expected(r: Json) {
  return {
    kpis: {
      applications: String(r.applications),
      open: String(r.open),
      finished: String(r.finished),
      onTimeRate: pct(r.onTimeRate),
      avgDays: days(r.averageDays),
      yellow: String(r.timeStatus.yellow),
      red: String(r.timeStatus.red),
      satisfaction: pct(r.satisfaction),
      badReviews: `${r.badReviews} / ${r.rectifications.open}`,
      rectificationRate: pct(r.rectifications.rate),
      rectificationOverdue: String(r.rectifications.overdue),
      incidents: String(r.incidents.count),
    },
    departments: Object.fromEntries(
      r.byDepartment.map((d: Json) => [d.key, [d.backlog, d.yellow, d.red, d.finished].map(String)]),
    ),
  };
}

/** The page shows exactly the API's figures for this user and filter (waiting for it to settle). */
async function expectFigures(page: Page, user: string, query = '') {
  const report = await api(user, 'GET', `/api/metrics/aggregates${query}`);
  const want = expected(report);
  await page.waitForFunction(
    (n) => document.querySelector('[data-kpi=applications] .kpi-value')?.textContent === n,
    want.kpis.applications,
  );
  await page.waitForFunction(() => !document.body.textContent?.includes('处理中'));
  expect(await kpis(page)).toEqual(want.kpis);
  expect(await departmentRows(page)).toEqual(want.departments);
  return report;
}

describe('supervisor dashboard in Chromium: the figures are the server’s', () => {
  let finished = '';
  let home = '';
  let other = '';

  beforeAll(async () => {
    if (!existsSync(join(root, 'web/dist/index.html')))
      execFileSync('node', ['bin/build-apps.js', 'web'], { cwd: root, stdio: 'inherit' });
    mkdirSync(artifacts, { recursive: true });
    dataDir = mkdtempSync(join(tmpdir(), 'onething-dashboard-'));
    const { MONGODB_URI: _m, ONETHING_DB: _d, ONETHING_USERS_FILE: _u, ...env } = process.env;
    server = await start(
      {
        ...env,
        ONETHING_DATA_DIR: dataDir,
        PORT: '0',
        HOST: '127.0.0.1',
        ONETHING_TICK_MS: '1000',
        ONETHING_EXAMPLES_DIR: join(root, 'examples'),
      },
      createLogger({ level: process.env.LOG_LEVEL ?? 'silent' }),
    );
    browser = await launchChromium();
    // One case finished, delivered and rated 1 star; one open in each clerk's district.
    finished = await acceptedBy('clerk1');
    await approveAll(finished);
    await api('clerk1', 'POST', `/api/applications/${finished}/deliver`, { channel: 'window' });
    await api('applicant1', 'POST', `/api/applications/${finished}/evaluation`, { channel: 'web', level: 1 });
    await acceptedBy('clerk1');
    await acceptedBy('clerk2');
    const me = async (user: string) => (await api(user, 'GET', '/api/auth/me')).region as string;
    home = (await me('clerk1')).slice(0, 6);
    other = (await me('clerk2')).slice(0, 6);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('the city supervisor’s page shows the API’s figures, and follows the region and date filters', async () => {
    const page = await newPage();
    await login(page, 'supervisor1', '/dashboard');
    const all = await expectFigures(page, 'supervisor1');
    expect(all).toMatchObject({
      applications: 3,
      finished: 1,
      open: 2,
      badReviews: 1,
      rectifications: { open: 1 },
    });
    await page.locator('.chart svg, .chart canvas').first().waitFor();
    await page.screenshot({ path: join(artifacts, '01-city.png'), fullPage: true });

    // The region list comes from the server; choosing clerk2's district narrows every figure.
    expect(
      await page.$$eval('select[name=region] option', (os) => os.map((o) => o.getAttribute('value'))),
    ).toEqual(['', home, other].sort());
    // …named from the service network's region tree.
    const regions = await (await fetch(`${server.url}/api/network/regions`)).json();
    const name = regions.items.find((r: Json) => r.code === other).name.zh as string;
    expect(await page.textContent(`select[name=region] option[value="${other}"]`)).toBe(`${name} ${other}`);
    await page.selectOption('select[name=region]', other);
    const district = await expectFigures(page, 'supervisor1', `?region=${other}`);
    expect(district).toMatchObject({ applications: 1, finished: 0 });
    await page.selectOption('select[name=region]', '');

    // A date range after today: nothing accepted in it.
    await page.fill('input[name=from]', '2099-01-01');
    await expectFigures(page, 'supervisor1', '?from=2099-01-01');
    // From after to: the server's message stands next to the field.
    await page.fill('input[name=to]', '2098-01-01');
    await page.locator('#from-error').waitFor();
    expect(await page.textContent('#from-error')).toBe('开始日期晚于结束日期');
    await page.screenshot({ path: join(artifacts, '02-filter-error.png'), fullPage: true });
  }, 120_000);

  test('the CSV the page downloads is the server’s, BOM and all', async () => {
    const page = await newPage();
    await login(page, 'supervisor1', '/dashboard');
    await expectFigures(page, 'supervisor1');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-testid=csv-departments]'),
    ]);
    expect(download.suggestedFilename()).toMatch(/^departments-\d{4}-\d{2}-\d{2}\.csv$/);
    const bytes = readFileSync((await download.path())!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const res = await fetch(`${server.url}/api/metrics/aggregates/csv?table=departments`, {
      headers: { authorization: `Bearer ${await token('supervisor1')}`, 'accept-language': 'zh-CN' },
    });
    expect(bytes.equals(Buffer.from(await res.arrayBuffer()))).toBe(true);
    const lines = bytes.subarray(3).toString('utf8').trim().split('\r\n');
    expect(lines[0]!.startsWith('部门,部门代码,在办')).toBe(true);
    expect(lines).toHaveLength(1 + DEPARTMENTS.length);
  }, 120_000);

  test('a district supervisor sees the district only', async () => {
    const page = await newPage();
    await login(page, 'supervisor2', '/dashboard');
    const report = await expectFigures(page, 'supervisor2');
    expect(report).toMatchObject({ applications: 1, regions: [other] });
    await page.screenshot({ path: join(artifacts, '03-district.png'), fullPage: true });
  }, 120_000);

  test('the department works the case in its page, the applicant sees it move on, the dashboard counts it', async () => {
    const caseId = `${finished}:web`;
    const applicant = await newPage();
    await login(applicant, 'applicant1', `/evaluate/${finished}?channel=web`);
    await applicant.locator('[data-testid=rectification][data-status=assigned]').waitFor();

    // The responsible department works the case in its page: contact, verify, rectify and feed back.
    const { department } = await api(
      'supervisor1',
      'GET',
      `/api/rectifications/${encodeURIComponent(caseId)}`,
    );
    const desk = await newPage();
    await login(desk, `${department}1`, '/rectifications');
    await desk.click(`[data-testid=rectifications] tr[data-case="${caseId}"] a`);
    const status = (s: string) =>
      desk.locator(`[data-testid=rectification-case][data-status=${s}]`).waitFor();
    await status('assigned');
    await desk.fill('form[data-step=contact] textarea[name=note]', '已电话联系申请人');
    await desk.click('form[data-step=contact] button[type=submit]');
    await status('verifying');
    await desk.selectOption('form[data-step=verify] select[name=finding]', 'valid');
    await desk.click('form[data-step=verify] button[type=submit]');
    await status('rectifying');
    // Feeding back without the measures: the server's message stands next to that field.
    await desk.fill('form[data-step=feedback] textarea[name=message]', '已核实并整改，向您致歉');
    await desk.click('form[data-step=feedback] button[type=submit]');
    await desk.locator('#feedback-measures-error').waitFor();
    expect(await desk.textContent('#feedback-measures-error')).toBe('必填');
    await desk.fill('form[data-step=feedback] textarea[name=measures]', '增加窗口引导人员');
    await desk.click('form[data-step=feedback] button[type=submit]');
    await status('fedBack');
    await desk.screenshot({ path: join(artifacts, '05-department-rectification.png'), fullPage: true });

    await applicant.reload();
    await applicant.locator('[data-testid=rectification][data-status=fedBack]').waitFor();
    expect(await applicant.textContent('[data-testid=rectification]')).toContain('已反馈，待回访');
    expect(await applicant.textContent('[data-testid=rectification-feedback]')).toContain('增加窗口引导人员');
    await applicant.screenshot({ path: join(artifacts, '04-evaluation-rectification.png'), fullPage: true });

    const page = await newPage();
    await login(page, 'supervisor1', '/dashboard');
    const report = await expectFigures(page, 'supervisor1');
    expect(report.rectifications).toMatchObject({ open: 0, done: 1, rate: 1 });

    // The supervisor records the revisit (回访); the case closes.
    await page.goto(`${server.url}/rectifications/${encodeURIComponent(caseId)}`);
    await page.selectOption('form[data-step=revisit] select[name=satisfied]', 'true');
    await page.click('form[data-step=revisit] button[type=submit]');
    await page.locator('[data-testid=rectification-case][data-status=closed]').waitFor();
    expect(
      (await api('supervisor1', 'GET', `/api/rectifications/${encodeURIComponent(caseId)}`)).revisit,
    ).toMatchObject({
      satisfied: true,
      by: 'supervisor1',
    });
    await applicant.reload();
    await applicant.locator('[data-testid=rectification][data-status=closed]').waitFor();
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
