/**
 * Item outputs in a real browser: market regulation approving the enterprise registration is
 * asked for the unified social credit code (the error under the field until it is right), the tax
 * bureau's task then shows that code as the registration's result, and the window's case page
 * shows it with the registration's result. Screenshots go to test/browser/artifacts/item-outputs/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { callAs, signIn, startAppServer, type AppServer } from './app-server.js';
import { launchChromium } from './chromium.js';

const artifacts = fileURLToPath(new URL('./artifacts/item-outputs/', import.meta.url));
const requests = fileURLToPath(new URL('../../examples/requests/', import.meta.url));
const request = (name: string) => JSON.parse(readFileSync(join(requests, `${name}.json`), 'utf8'));
const CREDIT_CODE = '91440400MA4W12346M';

let server: AppServer;
let browser: Browser;
let appId: string;
const pageErrors: string[] = [];

async function pageAs(username: string, path: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await signIn(page, server, username, path);
  return page;
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  server = await startAppServer('item-outputs');
  browser = await launchChromium();
  const app = await callAs(
    server,
    'POST',
    '/api/applications',
    'clerk1',
    request('business-startup-application'),
  );
  appId = app.id;
  await callAs(server, 'POST', `/api/applications/${appId}/submit`, 'clerk1');
  await callAs(
    server,
    'POST',
    `/api/applications/${appId}/accept`,
    'clerk1',
    request('business-startup-accept'),
  );
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

afterEach(() => expect(pageErrors).toEqual([]));

describe('the results of an item reach the items after it', () => {
  test('market regulation must give the credit code to approve the registration', async () => {
    const task = `${appId}:enterprise-registration`;
    const page = await pageAs('market-regulation1', `/inbox/${encodeURIComponent(task)}`);
    await page.locator('[data-testid=claim]').click();
    await page.locator('[data-tab=approve]').click();
    const field = page.locator('label[data-output=creditCode]');
    await expect(field.textContent()).resolves.toContain('统一社会信用代码');

    await page.click('[data-testid=decide]');
    await expect(field.locator('.field-error').textContent()).resolves.toBe('请填写统一社会信用代码');

    // The server checks the code: a wrong check character is named under the field.
    await page.fill('input[name=output-creditCode]', '91440400MA4W12345M');
    await page.click('[data-testid=decide]');
    await expect(field.locator('.field-error').textContent()).resolves.toContain('校验码错误');
    await shot(page, '01-registration-wrong-code');

    await page.fill('input[name=output-creditCode]', CREDIT_CODE);
    await page.click('[data-testid=decide]');
    await page.locator('.status.item-approved').first().waitFor();
    await expect(page.locator('[data-testid=result]').textContent()).resolves.toContain(
      `统一社会信用代码：${CREDIT_CODE}`,
    );
    await page.context().close();
  }, 120_000);

  test('the tax bureau sees the code as the registration’s result, and nothing else of it', async () => {
    const page = await pageAs('tax1', `/inbox/${encodeURIComponent(`${appId}:new-taxpayer`)}`);
    const row = page.locator('[data-testid=upstream-results] tr[data-output=creditCode]');
    await row.waitFor();
    await expect(row.locator('th').textContent()).resolves.toBe('企业设立登记 · 统一社会信用代码');
    await expect(row.locator('td').textContent()).resolves.toBe(CREDIT_CODE);
    await expect(page.locator('[data-testid=upstream-results] tr').count()).resolves.toBe(1);
    await shot(page, '02-tax-upstream-result');
    await page.context().close();
  }, 120_000);

  test('the window’s case page shows the code with the registration’s result', async () => {
    const page = await pageAs('clerk1', `/clerk/applications/${encodeURIComponent(appId)}`);
    const cell = page.locator('[data-testid=items] tr[data-item=enterprise-registration] td').last();
    await cell.waitFor();
    await expect(cell.textContent()).resolves.toContain(`统一社会信用代码：${CREDIT_CODE}`);
    await page.context().close();
  }, 120_000);

  test('the applicant’s delivery list (出件) shows the code with the registration’s result', async () => {
    for (const department of ['public-security', 'tax', 'hrss', 'medical-security', 'housing-fund', 'bank']) {
      const user = `${department}1`;
      const inbox = await callAs(server, 'GET', '/api/tasks?state=open&limit=100', user);
      for (const task of inbox.items.filter((x: { applicationId: string }) => x.applicationId === appId))
        await callAs(server, 'POST', `/api/tasks/${encodeURIComponent(task.id)}/approve`, user, {});
    }
    await callAs(server, 'POST', `/api/applications/${appId}/deliver`, 'clerk1', { channel: 'window' });
    const page = await pageAs('applicant1', '/my');
    await page.goto(`${server.url}/print/delivery/${encodeURIComponent(appId)}`);
    const row = page.locator('.sheet-table tbody tr', { hasText: '企业设立登记' });
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain(`统一社会信用代码：${CREDIT_CODE}`);
    await shot(page, '03-delivery-list');
    await page.context().close();
  }, 120_000);
});
