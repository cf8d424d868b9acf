/**
 * 好差评 after 分批出件, in Chromium against the real server: the applicant opening the evaluation
 * link of a case handed over in two batches sees what each batch handed over, when and how (as the
 * delivery receipt lists them), then rates; a case delivered at once says so in one line.
 * Screenshots go to test/browser/artifacts/evaluate-batches/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { samples } from '../../forms/src/testing/samples.js';
import { approvalOf } from '../../engine/src/testing/item-outputs.js';
import { callAs, startAppServer, type AppServer } from './app-server.js';
import { watchedPage } from './case-setup.js';
import { launchChromium } from './chromium.js';

const artifacts = fileURLToPath(new URL('./artifacts/evaluate-batches/', import.meta.url));
const FIRST_BATCH = ['enterprise-registration', 'seal-filing'];
const DECIDERS = [
  ['enterprise-registration', 'market-regulation1'],
  ['seal-filing', 'public-security1'],
  ['new-taxpayer', 'tax1'],
  ['employer-social-insurance', 'hrss1'],
  ['employer-medical-insurance', 'medical-security1'],
  ['housing-fund-account', 'housing-fund1'],
  ['bank-appointment', 'bank1'],
] as const;

let server: AppServer;
let browser: Browser;
const pageErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  server = await startAppServer('evaluate-batches');
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/**
 * A business-startup case applicant1 applied for online (网上申请) and the window accepted, each
 * required material's original seen there; its id.
 */
async function appliedOnlineAndAccepted(): Promise<string> {
  const { situation: answers, ...data } = samples['business-startup']!;
  const applicant = { kind: 'person', name: '张三', idNumber: '440402199003071232' };
  const draft = await callAs(server, 'POST', '/api/applications', 'applicant1', {
    bundleCode: 'business-startup',
    answers,
    data,
    applicant,
  });
  const path = `/api/applications/${draft.id}`;
  const { materials } = await callAs(server, 'POST', `${path}/submit`, 'applicant1');
  const seen = (materials as { id: string; required: boolean; status: string }[]).flatMap((m) =>
    m.required && m.status === 'missing' ? [{ id: m.id, status: 'provided' }] : [],
  );
  await callAs(server, 'POST', `${path}/accept`, 'clerk1', { materials: seen });
  return draft.id;
}

/** Each department approves its items among `items`. */
async function approve(id: string, items: readonly string[]) {
  for (const [item, user] of DECIDERS)
    if (items.includes(item))
      await callAs(
        server,
        'POST',
        `/api/tasks/${encodeURIComponent(`${id}:${item}`)}/approve`,
        user,
        approvalOf(item),
      );
}

/** applicant1 opens the receipt's evaluation link and signs in there. */
async function evaluationPage(id: string): Promise<Page> {
  const page = await watchedPage(browser, pageErrors);
  await page.goto(`${server.url}/evaluate/${encodeURIComponent(id)}?channel=qr`);
  await page.fill('input[name=username]', 'applicant1');
  await page.fill('input[name=password]', 'applicant1pass');
  await page.click('button[type=submit]');
  await page.locator('[data-testid=submit-evaluation]').waitFor();
  return page;
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });

test('after two batches the applicant sees each batch’s items and time, then rates', async () => {
  const id = await appliedOnlineAndAccepted();
  await approve(id, FIRST_BATCH);
  await callAs(server, 'POST', `/api/applications/${id}/deliver`, 'clerk1', {
    channel: 'window',
    items: FIRST_BATCH,
  });
  await approve(
    id,
    DECIDERS.map(([item]) => item).filter((item) => !FIRST_BATCH.includes(item)),
  );
  await callAs(server, 'POST', `/api/applications/${id}/deliver`, 'clerk1', { channel: 'post' });

  const page = await evaluationPage(id);
  const batches = page.locator('[data-testid=handovers] li');
  expect(await batches.evaluateAll((li) => li.map((l) => l.getAttribute('data-batch')))).toEqual(['1', '2']);
  await expect(batches.nth(0).textContent()).resolves.toMatch(
    /^第 1 批 · \d{4}-\d{2}-\d{2} \d{2}:\d{2} · 经窗口送达：企业设立登记、印章刻制备案$/,
  );
  await expect(batches.nth(1).textContent()).resolves.toMatch(
    /^第 2 批 · \d{4}-\d{2}-\d{2} \d{2}:\d{2} · 经邮寄送达：新办纳税人涉税事项、.*银行开户预约$/,
  );
  await expect(page.locator('.evaluate').textContent()).resolves.toContain('办理结果已分 2 批送达');
  await shot(page, '01-two-batches');

  await page.locator('label.level-5').click();
  await page.click('[data-testid=submit-evaluation]');
  await page.locator('[data-testid=evaluation-done]').waitFor();
  // The batches stay listed beside the thanks.
  await expect(page.locator('[data-testid=handovers] li').count()).resolves.toBe(2);
  await shot(page, '02-rated');
  await page.context().close();
}, 180_000);

test('a case delivered at once says when and how in one line, without a batch list', async () => {
  const id = await appliedOnlineAndAccepted();
  await approve(
    id,
    DECIDERS.map(([item]) => item),
  );
  await callAs(server, 'POST', `/api/applications/${id}/deliver`, 'clerk1', { channel: 'window' });
  const page = await evaluationPage(id);
  await expect(page.locator('.evaluate p.muted').first().textContent()).resolves.toMatch(
    /^评价渠道：扫码 · \d{4}-\d{2}-\d{2} \d{2}:\d{2} 经窗口送达$/,
  );
  await expect(page.locator('[data-testid=handovers]').count()).resolves.toBe(0);
  await shot(page, '03-one-delivery');
  await page.context().close();
}, 180_000);

test('no page errors', () => {
  expect(pageErrors).toEqual([]);
});
