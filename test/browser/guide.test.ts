/**
 * The public guide (办事指南, 一次告知) in Chromium against the real server (engine/src/server.ts
 * start(): SQLite in a temporary directory, the example bundles and the Zhuhai service network
 * seeded, web/dist served at /), as an anonymous visitor: from the home page to the list of
 * bundles (every example bundle), and a restaurant's guide by its direct URL, answered question
 * by question. What the page shows is checked against the bundle file (names, materials) and the
 * guide API for the same answers (items, time limits, fees, relief, venues); a changed answer
 * changes the lists. English, 长辈版 and print. Screenshots go to test/browser/artifacts/guide/.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import type { Guide } from '../../engine/src/network/guide.js';
import type { BundleDefinition } from '../../forms/src/bundle/index.js';
import { samples } from '../../forms/src/testing/samples.js';
import { startAppServer, type AppServer } from './app-server.js';
import { launchChromium } from './chromium.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const artifacts = fileURLToPath(new URL('./artifacts/guide/', import.meta.url));

const bundleFiles: BundleDefinition[] = readdirSync(join(root, 'examples'))
  .filter((d) => existsSync(join(root, 'examples', d, 'bundle.json')))
  .map((d) => JSON.parse(readFileSync(join(root, 'examples', d, 'bundle.json'), 'utf8')) as BundleDefinition);
const restaurant = bundleFiles.find((b) => b.code === 'restaurant')!;
const situation = samples.restaurant!.situation!;

let server: AppServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
/** Every API request the anonymous page made, with whether it carried a token. */
const apiCalls: { url: string; authorised: boolean }[] = [];

async function guideFor(answers: Record<string, unknown>): Promise<Guide> {
  const res = await fetch(
    `${server.url}/api/guides/restaurant?answers=${encodeURIComponent(JSON.stringify(answers))}`,
  );
  expect(res.status).toBe(200);
  return (await res.json()) as Guide;
}

const shot = (name: string) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
const attrs = (selector: string, name: string) =>
  page.locator(selector).evaluateAll((els, n) => els.map((e) => e.getAttribute(n)!), name);

/** Waits until the page shows the guide for exactly these answers (the URL carries them). */
async function showsAnswers(answers: Record<string, unknown>) {
  await page.waitForURL((url) => {
    const raw = url.searchParams.get('answers');
    return !!raw && JSON.stringify(JSON.parse(raw)) === JSON.stringify(answers);
  });
  await page.locator('[data-testid=guide] .loading').waitFor({ state: 'detached' });
}

describe('public guide in Chromium against the real server', () => {
  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    server = await startAppServer('guide');
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
    page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
    page.on('request', (r) => {
      if (r.url().includes('/api/'))
        apiCalls.push({ url: r.url(), authorised: 'authorization' in r.headers() });
    });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('an anonymous visitor goes from the home page to the guides and finds every bundle', async () => {
    await page.goto(server.url);
    await page.locator('input[name=username]').waitFor(); // not signed in: the home page is the log-in
    await page.click('header >> text=办事指南');
    await page.waitForURL(/\/guide$/);
    await page.locator('[data-testid=guide-bundles] [data-bundle]').first().waitFor();
    const shown = await page
      .locator('[data-testid=guide-bundles] [data-bundle]')
      .evaluateAll((els) => els.map((e) => [e.getAttribute('data-bundle'), e.textContent]));
    expect(Object.fromEntries(shown)).toEqual(
      Object.fromEntries(bundleFiles.map((b) => [b.code, b.name.zh])),
    );
    await shot('01-guide-list');
  }, 60_000);

  test('the restaurant guide by its URL: items, materials with relief, limits, fees and venues follow the answers', async () => {
    await page.goto(`${server.url}/guide/restaurant`);
    await expect(page.locator('[data-testid=guide-bundle]').textContent()).resolves.toBe(restaurant.name.zh);
    await page.locator('text=请回答以下问题').waitFor();
    // Answer question by question, as a visitor would.
    const given: Record<string, unknown> = {};
    for (const q of restaurant.questions) {
      const v = situation[q.id];
      if (v === undefined) continue;
      const field = page.locator(`[data-question=${q.id}]`);
      if (q.type === 'boolean')
        await field
          .locator('input[type=radio]')
          .nth(v ? 0 : 1)
          .check();
      else if (q.type === 'multiChoice')
        for (const x of v as string[]) await field.locator(`input[value=${x}]`).check();
      else await field.locator('select').selectOption(String(v));
      given[q.id] = v;
      await showsAnswers(given);
    }
    await page.locator('text=已回答全部问题').waitFor();
    const want = await guideFor(situation);
    expect(want.complete).toBe(true);

    // Items: the ones that apply, with the bundle's names, promised days and fees.
    expect(await attrs('[data-testid=guide-items] tr[data-item]', 'data-item')).toEqual(
      want.items.map((i) => i.code),
    );
    for (const item of want.items) {
      const row = page.locator(`[data-testid=guide-items] tr[data-item=${item.code}]`);
      const text = (await row.textContent())!;
      expect(text).toContain(restaurant.items.find((i) => i.code === item.code)!.name.zh);
      expect(text).toContain(item.department.name.zh);
      expect(text).toContain(`承诺 ${item.promisedDays} 个工作日`);
      if (item.legalDays !== undefined) expect(text).toContain(`法定时限 ${item.legalDays} 个工作日`);
      for (const c of item.conditions) expect(text).toContain(c.zh);
      const fee = item.fee;
      expect(text).toContain(
        !fee
          ? '以窗口告知为准'
          : fee.free
            ? '免费'
            : fee.amount !== undefined
              ? `${fee.amount} 元`
              : fee.rule!.zh,
      );
    }

    // Materials: what the applicant brings, original or copy, and what may replace it.
    const brought = want.materials.filter((m) => m.bring);
    expect(await attrs('[data-testid=guide-materials] tr[data-material]', 'data-material')).toEqual(
      brought.map((m) => m.id),
    );
    for (const m of brought) {
      const row = page.locator(`[data-testid=guide-materials] tr[data-material=${m.id}]`);
      expect(await row.textContent()).toContain(restaurant.materials!.find((x) => x.id === m.id)!.name.zh);
      expect(await row.textContent()).toContain(m.formName.zh);
      const relief = await row
        .locator('[data-relief]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-relief')));
      expect(relief).toEqual(
        [
          m.replaceableBy.eLicence && 'eLicence',
          m.replaceableBy.commitment && 'commitment',
          m.deferrable && 'deferrable',
        ].filter(Boolean),
      );
    }
    // The bundle file's own flags, as the guide must tell them (一次告知).
    const consent = restaurant.materials!.find((m) => m.id === 'ownerConsent')!;
    expect(consent.deferrable).toBe(true);
    await page.locator('tr[data-material=ownerConsent] [data-relief=deferrable]').waitFor();
    const committable = brought.find((m) => m.replaceableBy.commitment)!;
    expect(restaurant.materials!.find((m) => m.id === committable.id)!.commitment).toBe(true);
    await page.locator(`tr[data-material=${committable.id}] [data-relief=commitment]`).waitFor();
    await page.locator('tr[data-material=operatorIdentity] [data-relief=eLicence]').waitFor();

    // Venues that receive it, with address and hours.
    expect(want.venues.length).toBeGreaterThan(0);
    expect(await attrs('[data-testid=guide-venues] li[data-venue]', 'data-venue')).toEqual(
      want.venues.map((v) => v.id),
    );
    for (const v of want.venues) {
      const text = (await page.locator(`li[data-venue=${v.id}]`).textContent())!;
      expect(text).toContain(v.name.zh);
      if (v.address) expect(text).toContain(v.address.zh);
      for (const h of v.hours) expect(text).toContain(`${h.from}–${h.to}`);
    }
    await expect(page.locator('[data-testid=guide-fees]').textContent()).resolves.toBe(
      want.fees.free && want.fees.stated ? '全部事项免费办理。' : '各事项收费见上表。',
    );
    await shot('02-restaurant-guide');

    // No shop sign: the sign item and its materials leave the lists.
    await page.locator('[data-question=sign] select').selectOption('none');
    await showsAnswers({ ...situation, sign: 'none' });
    const without = await guideFor({ ...situation, sign: 'none' });
    expect(without.items.map((i) => i.code)).not.toContain('shop-sign');
    expect(await attrs('[data-testid=guide-items] tr[data-item]', 'data-item')).toEqual(
      without.items.map((i) => i.code),
    );
    expect(await attrs('[data-testid=guide-materials] tr[data-material]', 'data-material')).not.toContain(
      'ownerConsent',
    );
    await expect(page.locator('[data-testid=guide-not-applicable]').textContent()).resolves.toContain(
      restaurant.items.find((i) => i.code === 'shop-sign')!.name.zh,
    );
    await shot('03-restaurant-guide-no-sign');
  }, 120_000);

  test("a venue's appointment link: the applicant signs in and books a slot", async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
    const visitor = await context.newPage();
    visitor.on('pageerror', (err) => pageErrors.push(err.message));
    await visitor.goto(`${server.url}/guide/restaurant`);
    const venue = visitor.locator('[data-testid=guide-venues] li[data-venue]').first();
    const venueId = (await venue.getAttribute('data-venue'))!;
    await venue.locator('a', { hasText: '网上预约' }).click();
    await visitor.waitForURL(new RegExp(`/my\\?book=${venueId}&bundle=restaurant$`));
    await visitor.fill('input[name=username]', 'applicant1');
    await visitor.fill('input[name=password]', 'applicant1pass');
    await visitor.click('button[type=submit]');
    await visitor.locator('[data-testid=book]').waitFor();
    // The first day that has a slot with room (weekends and holidays have none).
    const open = visitor.locator('[data-testid=book] li[data-slot] button:not([disabled])');
    for (const day of await visitor.locator('[data-testid=book] [data-date]').all()) {
      await day.click();
      await open.first().or(visitor.locator('[data-testid=no-slots]')).waitFor();
      if (await open.count()) break;
    }
    const slot = visitor
      .locator('[data-testid=book] li[data-slot]', { has: visitor.locator('button:not([disabled])') })
      .first();
    const start = (await slot.getAttribute('data-slot'))!;
    const left = Number((await slot.textContent())!.match(/余 (\d+) 个号/)![1]);
    await slot.locator('button').click();
    await visitor.locator('[data-testid=my-appointments] li').first().waitFor();
    expect(await visitor.locator('[data-testid=my-appointments]').textContent()).toContain(start);
    await expect(
      visitor
        .locator(`[data-testid=book] li[data-slot="${start}"]`, { hasText: `余 ${left - 1} 个号` })
        .count(),
    ).resolves.toBe(1);
    await visitor.screenshot({ path: join(artifacts, '06-booked.png'), fullPage: true });
    // Signing out revokes the token on the server: a copy of it no longer works.
    const token = await visitor.evaluate(
      () => (JSON.parse(sessionStorage.getItem('onething.session')!) as { token: string }).token,
    );
    const me = () =>
      fetch(`${server.url}/api/appointments`, { headers: { Authorization: `Bearer ${token}` } });
    expect((await me()).status).toBe(200);
    const loggedOut = visitor.waitForResponse((r) => r.url().endsWith('/api/auth/logout'));
    await visitor.click('header button:has-text("退出")');
    expect((await loggedOut).status()).toBe(204);
    expect((await me()).status).toBe(401);
    await context.close();
  }, 120_000);

  test('English, 长辈版 and print; the visitor never needed a token', async () => {
    await page.click('text=English');
    await page.locator(`[data-testid=guide-bundle] >> text=${restaurant.name.en}`).waitFor();
    await page.locator('text=Materials to bring').waitFor();
    await page.click('text=Large text');
    expect(await page.evaluate(() => document.documentElement.classList.contains('elder'))).toBe(true);
    await shot('04-guide-en-large-text');
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('header.top').isVisible()).toBe(false);
    await shot('05-guide-print');
    await page.emulateMedia({ media: 'screen' });
    expect(apiCalls.length).toBeGreaterThan(0);
    expect(apiCalls.filter((c) => c.authorised)).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
