/**
 * A supplement request a department withdrew (撤回) reads as withdrawn, not answered, in Chromium
 * against the real server: on the window's case page the merged notice marks that department's
 * entry withdrawn; the department's task page says 已撤回 with the time. A newborn case: the hospital and the vaccination clinic review at once.
 */
import type { Browser } from 'playwright-core';
import { callAs, signIn, startAppServer, type AppServer } from './app-server.js';
import { acceptedAtWindow, watchedPage } from './case-setup.js';
import { launchChromium } from './chromium.js';

const HOSPITAL = '请到窗口说明父亲身份信息';
const CLINIC = '请到窗口说明接种门诊选择';

let server: AppServer;
let browser: Browser;
const pageErrors: string[] = [];
let id = '';

beforeAll(async () => {
  server = await startAppServer('supplement-withdrawn');
  browser = await launchChromium();
  id = await acceptedAtWindow(server, 'newborn');
  const ask = (who: string, item: string, problem: string) =>
    callAs(server, 'POST', `/api/tasks/${id}:${item}/request-supplement`, who, { entries: [{ problem }] });
  await ask('hospital1', 'birth-certificate', HOSPITAL);
  await ask('vaccination-clinic1', 'vaccination-certificate', CLINIC);
  await callAs(server, 'POST', `/api/applications/${id}/notice`, 'clerk1', {});
  await callAs(server, 'POST', `/api/tasks/${id}:birth-certificate/withdraw-supplement`, 'hospital1', {});
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

test('the window’s notice marks the withdrawn entry; the clinic’s is still asked', async () => {
  const page = await watchedPage(browser, pageErrors);
  await signIn(page, server, 'clerk1', `/clerk/applications/${encodeURIComponent(id)}`);
  const notice = page.locator('.notice-block', { hasText: HOSPITAL });
  await expect(notice.locator('li[data-withdrawn]').textContent()).resolves.toContain(
    `${HOSPITAL} · 部门已撤回，无需补正`,
  );
  await expect(notice.locator('li:not([data-withdrawn])').textContent()).resolves.toContain(CLINIC);
  // The notice still waits for the clinic's entry: it is neither answered nor withdrawn.
  await expect(notice.locator('strong').first().textContent()).resolves.not.toMatch(/已补正|已撤回/);
}, 60_000);

test('the hospital’s task page says its request was withdrawn, not answered', async () => {
  const page = await watchedPage(browser, pageErrors);
  await signIn(page, server, 'hospital1', `/inbox/${encodeURIComponent(`${id}:birth-certificate`)}`);
  const request = page.locator('[data-request]', { hasText: HOSPITAL });
  await expect(request.getAttribute('data-request')).resolves.toBe('withdrawn');
  await expect(request.textContent()).resolves.toMatch(/· 已撤回 \d{4}-\d{2}-\d{2}/);
}, 60_000);

test('no page errors', () => {
  expect(pageErrors).toEqual([]);
});
