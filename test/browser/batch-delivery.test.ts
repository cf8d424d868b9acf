/**
 * 分批出件 in Chromium against the real server: registration and the seal are approved, tax
 * rejects, the other departments are still working. On the case page the window chooses the
 * licence and the seal and delivers them; the items table says which batch handed each over, and
 * the batch's receipt lists just those two. Screenshots go to test/browser/artifacts/batch-delivery/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { approvalOf } from '../../engine/src/testing/item-outputs.js';
import { callAs, signIn, startAppServer, type AppServer } from './app-server.js';
import { acceptedAtWindow, watchedPage } from './case-setup.js';
import { launchChromium } from './chromium.js';

const artifacts = fileURLToPath(new URL('./artifacts/batch-delivery/', import.meta.url));

let server: AppServer;
let browser: Browser;
const pageErrors: string[] = [];
let id = '';

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  server = await startAppServer('batch-delivery');
  browser = await launchChromium();
  id = await acceptedAtWindow(server, 'business-startup');
  const task = (item: string) => `/api/tasks/${encodeURIComponent(`${id}:${item}`)}`;
  const registration = 'enterprise-registration';
  await callAs(
    server,
    'POST',
    `${task(registration)}/approve`,
    'market-regulation1',
    approvalOf(registration),
  );
  await callAs(server, 'POST', `${task('seal-filing')}/approve`, 'public-security1', {});
  await callAs(server, 'POST', `${task('new-taxpayer')}/reject`, 'tax1', { reason: '法定代表人有欠税记录' });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });

test('the window delivers the licence and the seal while the other departments work', async () => {
  const page = await watchedPage(browser, pageErrors);
  await signIn(page, server, 'clerk1', `/clerk/applications/${encodeURIComponent(id)}`);
  const choices = page.locator('[data-testid=batch-items] label[data-item]');
  await choices.first().waitFor();
  expect(await choices.evaluateAll((labels) => labels.map((l) => l.getAttribute('data-item')))).toEqual([
    'enterprise-registration',
    'seal-filing',
    'new-taxpayer',
  ]);
  await expect(page.locator('[data-testid=deliver-batch]').isDisabled()).resolves.toBe(true);
  await page.check('[data-testid=batch-items] label[data-item=enterprise-registration] input');
  await page.check('[data-testid=batch-items] label[data-item=seal-filing] input');
  await shot(page, '01-batch-chosen');
  await page.click('[data-testid=deliver-batch]');

  const handedOver = (item: string) =>
    page.locator(`[data-testid=items] tr[data-item=${item}] [data-testid=handed-over]`).textContent();
  await page.locator('[data-testid=batch-items] label[data-item=enterprise-registration]').waitFor({
    state: 'detached',
  });
  await expect(handedOver('enterprise-registration')).resolves.toMatch(/^第 1 批 · \d{4}-\d{2}-\d{2}/);
  await expect(handedOver('seal-filing')).resolves.toMatch(/^第 1 批/);
  await expect(handedOver('new-taxpayer')).resolves.toBe('—');
  // The written rejection is still there to hand over; the case goes on.
  expect(await choices.evaluateAll((labels) => labels.map((l) => l.getAttribute('data-item')))).toEqual([
    'new-taxpayer',
  ]);
  await expect(page.locator('ul.timeline').textContent()).resolves.toContain('分批出件');
  await shot(page, '02-batch-delivered');
  await page.context().close();
}, 120_000);

test('the batch’s receipt lists the two results it handed over', async () => {
  const page = await watchedPage(browser, pageErrors);
  await signIn(page, server, 'clerk1', '/clerk');
  // Printable pages have no header: sign in first, then open the receipt.
  await page.goto(`${server.url}/print/delivery/${encodeURIComponent(id)}?batch=1`);
  await page.locator('.sheet-table tbody tr').first().waitFor();
  await expect(page.locator('.sheet h1').textContent()).resolves.toBe('送达回执（第 1 批）');
  expect(
    await page
      .locator('.sheet-table tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-item'))),
  ).toEqual(['enterprise-registration', 'seal-filing']);
  await expect(page.locator('.sheet').textContent()).resolves.toContain('其余事项办结后另行送达');
  // 好差评 waits for the final delivery.
  await expect(page.locator('[data-testid=evaluate-link]').count()).resolves.toBe(0);
  await shot(page, '03-batch-receipt');
  await page.context().close();
}, 120_000);

test('after the final delivery the receipt lists every result with the batch that handed it over', async () => {
  for (const [item, user] of [
    ['employer-social-insurance', 'hrss1'],
    ['employer-medical-insurance', 'medical-security1'],
    ['housing-fund-account', 'housing-fund1'],
    ['bank-appointment', 'bank1'],
  ] as const)
    await callAs(server, 'POST', `/api/tasks/${encodeURIComponent(`${id}:${item}`)}/approve`, user, {});
  await callAs(server, 'POST', `/api/applications/${id}/deliver`, 'clerk1', { channel: 'post' });
  const page = await watchedPage(browser, pageErrors);
  await signIn(page, server, 'clerk1', '/clerk');
  await page.goto(`${server.url}/print/delivery/${encodeURIComponent(id)}`);
  const row = (item: string) => page.locator(`.sheet-table tbody tr[data-item=${item}]`).textContent();
  await expect(row('seal-filing')).resolves.toMatch(/第 1 批/);
  await expect(row('new-taxpayer')).resolves.toMatch(/不予许可.*第 2 批/);
  await expect(row('bank-appointment')).resolves.toMatch(/第 2 批/);
  await expect(page.locator('.sheet').textContent()).resolves.toContain('办理结果分 2 批送达');
  await expect(page.locator('[data-testid=evaluate-link]').count()).resolves.toBe(1);
  await shot(page, '04-final-receipt');
  await page.context().close();
}, 120_000);

test('no page errors', () => {
  expect(pageErrors).toEqual([]);
});
