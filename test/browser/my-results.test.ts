/**
 * The applicant's own page (/my) in a real browser: under each accepted case, every item's
 * outcome as the applicant may read it. Approved with its result (the new enterprise's credit
 * code), rejected with the department's reason, and whether the result was handed over: at the
 * window once delivered, "decided, not handed over yet" while the case goes on, nothing for an item
 * still under review. Screenshots go to test/browser/artifacts/my-results/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Locator } from 'playwright-core';
import { callAs, signIn, startAppServer, type AppServer } from './app-server.js';
import { launchChromium } from './chromium.js';
import { watchedPage } from './case-setup.js';

const artifacts = fileURLToPath(new URL('./artifacts/my-results/', import.meta.url));
const requests = fileURLToPath(new URL('../../examples/requests/', import.meta.url));
const request = (name: string) => JSON.parse(readFileSync(join(requests, `${name}.json`), 'utf8'));
const CREDIT_CODE = '91440400MA4W12346M';
const TAX_REASON = '财务负责人未在本市办理实名认证，请认证后重新申请';
const LATER_ITEMS: [string, string][] = [
  ['public-security1', 'seal-filing'],
  ['hrss1', 'employer-social-insurance'],
  ['medical-security1', 'employer-medical-insurance'],
  ['housing-fund1', 'housing-fund-account'],
  ['bank1', 'bank-appointment'],
];

let server: AppServer;
let browser: Browser;
const pageErrors: string[] = [];

/** A business-startup case of applicant1 accepted at the window, its registration approved. */
async function registered(): Promise<string> {
  const { id } = await callAs(
    server,
    'POST',
    '/api/applications',
    'clerk1',
    request('business-startup-application'),
  );
  await callAs(server, 'POST', `/api/applications/${id}/submit`, 'clerk1');
  await callAs(
    server,
    'POST',
    `/api/applications/${id}/accept`,
    'clerk1',
    request('business-startup-accept'),
  );
  await callAs(
    server,
    'POST',
    `/api/tasks/${encodeURIComponent(`${id}:enterprise-registration`)}/approve`,
    'market-regulation1',
    {
      outputs: { creditCode: CREDIT_CODE },
    },
  );
  return id;
}

const task = (id: string, item: string) => `/api/tasks/${encodeURIComponent(`${id}:${item}`)}`;
let delivered: string;
let ongoing: string;

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  server = await startAppServer('my-results');
  browser = await launchChromium();
  // Delivered: every item decided, the tax bureau refusing with its reason, handed over at the window.
  delivered = await registered();
  await callAs(server, 'POST', `${task(delivered, 'new-taxpayer')}/reject`, 'tax1', { reason: TAX_REASON });
  for (const [user, item] of LATER_ITEMS)
    await callAs(server, 'POST', `${task(delivered, item)}/approve`, user, {});
  await callAs(server, 'POST', `/api/applications/${delivered}/deliver`, 'clerk1', { channel: 'window' });
  // Going on: only the registration decided.
  ongoing = await registered();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

afterEach(() => expect(pageErrors).toEqual([]));

/** The cells of one item's row under a case: status, result and handover. */
function itemRow(results: Locator, item: string) {
  const row = results.locator(`tr[data-item=${item}]`);
  return {
    status: row.locator('.status'),
    result: row.locator('[data-testid=result]'),
    handover: row.locator('[data-testid=handover]'),
  };
}

test('my cases list each item’s outcome, its result or reason, and whether it was handed over', async () => {
  const page = await watchedPage(browser, pageErrors);
  await signIn(page, server, 'applicant1', '/my');
  const done = page.locator(`tr[data-results-of="${delivered}"] [data-testid=item-results]`);
  await done.waitFor();

  const registration = itemRow(done, 'enterprise-registration');
  await expect(registration.status.textContent()).resolves.toBe('准予');
  await expect(registration.result.textContent()).resolves.toContain(`统一社会信用代码：${CREDIT_CODE}`);
  await expect(registration.handover.textContent()).resolves.toMatch(/经窗口送达$/);
  const tax = itemRow(done, 'new-taxpayer');
  await expect(tax.status.textContent()).resolves.toBe('不予许可');
  await expect(tax.result.textContent()).resolves.toContain(TAX_REASON);
  await expect(tax.handover.textContent()).resolves.toMatch(/经窗口送达$/);
  await expect(done.locator('tbody tr').count()).resolves.toBe(7);

  const going = page.locator(`tr[data-results-of="${ongoing}"] [data-testid=item-results]`);
  const decided = itemRow(going, 'enterprise-registration');
  await expect(decided.result.textContent()).resolves.toContain(`统一社会信用代码：${CREDIT_CODE}`);
  await expect(decided.handover.textContent()).resolves.toBe('已办结，尚未送达');
  const open = itemRow(going, 'new-taxpayer');
  await expect(open.status.textContent()).resolves.toBe('审查中');
  await expect(open.result.textContent()).resolves.toBe('—');
  await expect(open.handover.textContent()).resolves.toBe('—');
  await page.screenshot({ path: join(artifacts, '01-my-cases.png'), fullPage: true });
  await page.context().close();
}, 120_000);
