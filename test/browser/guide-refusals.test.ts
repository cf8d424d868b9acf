/**
 * The public guide tells a visitor what a bundle cannot be applied for before they start (the
 * newborn bundle: twins are applied for once per baby), and answering into that situation shows
 * the refusal, naming the answer, instead of the items and materials; answering out of it brings
 * the lists back. Chromium against the real server (test/browser/app-server.ts), anonymous.
 * Screenshots go to test/browser/artifacts/guide-refusals/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { readExampleBundle } from '../../forms/src/bundle/examples.js';
import { startAppServer, type AppServer } from './app-server.js';
import { watchedPage } from './case-setup.js';
import { launchChromium } from './chromium.js';

const artifacts = fileURLToPath(new URL('./artifacts/guide-refusals/', import.meta.url));
const twins = readExampleBundle('newborn').refuseWhen![0]!.message;

let server: AppServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  server = await startAppServer('guide-refusals');
  browser = await launchChromium();
  page = await watchedPage(browser, pageErrors);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const shot = (name: string) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });

/** Answers the number of babies and waits for the guide of that answer. */
async function babies(n: number) {
  await page.locator('[data-question=babyCount] input').fill(String(n));
  await page.waitForURL((url) => JSON.parse(url.searchParams.get('answers') ?? '{}').babyCount === n);
  await page.locator('[data-testid=guide] .loading').waitFor({ state: 'detached' });
}

test('the refusals are told before any answer, with the question that decides each', async () => {
  await page.goto(`${server.url}/guide/newborn`);
  const refusals = page.locator('[data-testid=guide-refusals]');
  await expect(refusals.locator('strong').textContent()).resolves.toBe('以下情形不能通过本事项包申请');
  await expect(refusals.locator('li').allTextContents()).resolves.toEqual([`${twins.zh} 取决于：新生儿数量`]);
  // Nothing answered yet: the lists show what is known, no refusal.
  expect(await page.locator('[data-testid=guide-refused]').count()).toBe(0);
  await page.locator('[data-testid=guide-materials]').waitFor();
  await shot('01-before-answers');
}, 60_000);

test('twins: the refusal naming the answer instead of the items and materials; one baby: the lists', async () => {
  await babies(2);
  const refused = page.locator('[data-testid=guide-refused]');
  await expect(refused.getAttribute('role')).resolves.toBe('alert');
  await expect(refused.locator('li').allTextContents()).resolves.toEqual([`${twins.zh}（新生儿数量：2）`]);
  for (const list of ['guide-items', 'guide-materials', 'guide-fees'])
    expect(await page.locator(`[data-testid=${list}]`).count()).toBe(0);
  await page.locator('[data-testid=guide-venues] li').first().waitFor(); // where to go is still told
  await shot('02-twins-refused');

  await babies(1);
  expect(await refused.count()).toBe(0);
  expect(await page.locator('[data-testid=guide-items] tr[data-item]').count()).toBeGreaterThan(0);
  await page.locator('[data-testid=guide-materials]').waitFor();
}, 60_000);

test('no page errors', () => {
  expect(pageErrors).toEqual([]);
});
