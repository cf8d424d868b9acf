/**
 * The web app loads a page's heavy libraries (JSON Forms, ECharts, QR codes) only with that page,
 * in Chromium against the real server: the log-in page and a department's inbox fetch no module
 * of the unified form or the dashboard; the supervisor's dashboard fetches its own when first
 * shown; a module that cannot be fetched (the server was upgraded since the tab opened) is told,
 * in Chinese, with a reload that brings the page.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { signIn, startAppServer, type AppServer } from './app-server.js';
import { launchChromium } from './chromium.js';

let server: AppServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];
/** The script files the page fetched, by their name without the build's hash (`dashboard`). */
const scripts: string[] = [];
/** Their text, as the browser received it. */
const scriptTexts: Promise<string>[] = [];

/** Marks of the heavy libraries in the built files: JSON Forms' actions, our form checks, ECharts. */
const LIBRARIES = ['jsonforms/INIT', 'onething-pattern:', 'echarts'];
async function librariesFetched(): Promise<string[]> {
  const texts = await Promise.all(scriptTexts);
  return LIBRARIES.filter((mark) => texts.some((text) => text.includes(mark)));
}

const scriptName = (url: string) => /\/assets\/([a-z-]+)-[\w-]+\.js$/.exec(url)?.[1];

describe('pages load their own libraries when first shown', () => {
  beforeAll(async () => {
    server = await startAppServer('lazy-pages');
    browser = await launchChromium();
  }, 240_000);

  beforeEach(async () => {
    scripts.length = 0;
    scriptTexts.length = 0;
    context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
    page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('request', (r) => {
      const name = scriptName(r.url());
      if (name) scripts.push(name);
    });
    page.on('response', (r) => {
      if (scriptName(r.url())) scriptTexts.push(r.text());
    });
  });

  afterEach(async () => {
    await context?.close();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('the log-in page and the inbox come without the form or the dashboard', async () => {
    await signIn(page, server, 'tax1');
    await page.locator('h1').first().waitFor();
    expect(page.url()).toMatch(/\/inbox$/);
    expect(scripts).toEqual(['index']);
    expect(await librariesFetched()).toEqual([]);
  });

  test("the dashboard's module is fetched when the supervisor opens it, and the dashboard shows", async () => {
    await page.goto(server.url);
    await page.locator('input[name=username]').waitFor();
    expect(scripts).toEqual(['index']);
    await signIn(page, server, 'supervisor1');
    await page.locator('[data-testid=kpis]').waitFor();
    expect(scripts).toContain('dashboard');
    expect(await librariesFetched()).toEqual(['echarts']);
  });

  test('a module that cannot be fetched is told, and reload brings the page', async () => {
    await page.route(/\/assets\/dashboard-[\w-]+\.js$/, (route) => route.abort());
    await signIn(page, server, 'supervisor1');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('页面未能加载');
    await page.unroute(/\/assets\/dashboard-[\w-]+\.js$/);
    // Another page still loads from there, without the message.
    await page.getByRole('link', { name: '差评整改' }).click();
    await page.waitForURL(/\/rectifications$/);
    await page.locator('h1').first().waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
    await page.goBack();
    await page.getByRole('button', { name: '重新加载' }).click();
    await page.locator('[data-testid=kpis]').waitFor();
  });

  test('no script errors besides the refused module', () => {
    expect(pageErrors.filter((e) => !/dynamically imported module|Failed to fetch/i.test(e))).toEqual([]);
  });
});
