/**
 * The web app in a real browser (Debian's Chromium through playwright-core) against the real
 * server (engine/src/server.ts start(): SQLite in a temp directory, the example bundles seeded,
 * web/dist served at /). Builds web/ first when web/dist is missing.
 *
 * One business-startup application through every role: the clerk fills the unified form with
 * the sample data (forms/src/testing/samples.ts), records a 告知承诺 and accepts; market
 * regulation approves and issues the business licence as an e-licence; tax asks for a
 * supplement while the other departments approve; the window issues the one consolidated notice
 * and records the supplement; tax approves; the clerk delivers; the applicant evaluates from the
 * delivery receipt's link; the supervisor's dashboard counts it. A department never sees another
 * department's tasks or unmasked fields. Then a restaurant accepted with one material deferred
 * (容缺) on a signed commitment: the departments decide, the results wait for the material, it
 * arrives, the case is delivered. Screenshots go to test/browser/artifacts/web/, and every page's
 * console and network traffic to artifacts/web/trace.log.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Notice } from '../../engine/src/applications/types.js';
import { samples } from '../../forms/src/testing/samples.js';
import { callAs, signIn, startAppServer, type AppServer } from './app-server.js';
import { launchChromium } from './chromium.js';
import { answerSituation, control, fill, optionIndex, pickBundle } from './unified-form.js';

const artifacts = fileURLToPath(new URL('./artifacts/web/', import.meta.url));

const sample = samples['business-startup']!;
const APPLICANT = {
  name: '张三',
  idNumber: '440402199003071232',
  phone: '13800138000',
  account: 'applicant1',
};

let server: AppServer;
let browser: Browser;
const pageErrors: string[] = [];
/** Every page's console and network traffic, written to artifacts/web/trace.log for a failed run. */
const trace: string[] = [];
const t0 = Date.now();
function note(page: string, line: string) {
  trace.push(`${String(Date.now() - t0).padStart(7)} ms ${page} ${line}`);
}
let pages = 0;

async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: 1366, height: 900 },
    locale: 'zh-CN',
    acceptDownloads: true,
  });
  const page = await context.newPage();
  const name = `p${++pages}`;
  page.on('pageerror', (err) => (pageErrors.push(err.message), note(name, `pageerror ${err.message}`)));
  page.on('request', (r) => {
    const body = r.url().includes('/api/auth/') ? '' : (r.postData()?.slice(0, 300) ?? '');
    note(name, `→ ${r.method()} ${r.url()} ${body}`);
  });
  page.on('requestfailed', (r) => note(name, `✗ ${r.method()} ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => note(name, `← ${r.status()} ${r.request().method()} ${r.url()}`));
  page.on('console', (m) => {
    note(name, `console.${m.type()} ${m.text()}`);
    if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) pageErrors.push(m.text());
  });
  return { context, page };
}

async function shot(page: Page, name: string) {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}

const login = (page: Page, username: string, path = '/') => signIn(page, server, username, path);

async function kpis(page: Page): Promise<Record<string, string>> {
  await page.locator('[data-testid=kpis]').waitFor();
  return page.$$eval('[data-kpi]', (els) =>
    Object.fromEntries(
      els.map((e) => [e.getAttribute('data-kpi'), e.querySelector('.kpi-value')!.textContent!]),
    ),
  );
}

/** A department logs in, finds the case in its inbox, claims it and takes one decision. */
async function decide(
  username: string,
  caseNumber: string,
  decision: (page: Page) => Promise<void>,
  screenshot?: string,
) {
  const { context, page } = await newPage();
  await login(page, username, '/inbox');
  const row = page.locator(`[data-testid=tasks] tr[data-number="${caseNumber}"]`);
  await row.waitFor();
  const claim = row.locator('button', { hasText: '认领' });
  // Claimed earlier (before a supplement): open it; otherwise claim it from the list.
  if (await claim.count()) await claim.click();
  else await row.locator('a').first().click();
  await page.locator('[data-testid=payload]').waitFor();
  await page.locator('[data-tab=approve]').waitFor();
  await decision(page);
  if (screenshot) await shot(page, screenshot);
  await context.close();
}

/** In a department's review: ask for a supplement of the first listed material. */
async function requestSupplement(page: Page, problem: string, remedy: string) {
  await page.click('[data-tab=supplement]');
  await page.locator('[data-entry="0"] select').selectOption({ index: 1 });
  await page.fill('input[name=problem-0]', problem);
  await page.locator('[data-entry="0"] input').nth(1).fill(remedy);
  await page.click('[data-testid=decide]');
  await page.locator('text=已提出补正要求').waitFor();
}

/**
 * The clerk gathers the pending supplement requests into one notice (unless the server already
 * did), prints it, and records the supplement the applicant brought.
 */
async function gatherAndRecordSupplement(
  page: Page,
  caseId: string,
  problem: string,
  shots: [string, string],
) {
  const casePage = `${server.url}/clerk/applications/${encodeURIComponent(caseId)}`;
  await page.goto(casePage);
  // The requests wait at the window until it gathers them into one notice (the server also does
  // this by itself when the last department still reviewing asks for a supplement).
  const gather = page.locator('button', { hasText: '汇总出具一次性告知书' });
  const notice = page.locator('text=/第 \\d+ 号一次性告知书/');
  await gather.or(notice).first().waitFor();
  if (await gather.isVisible()) await gather.click();
  await notice.waitFor();
  await shot(page, shots[0]);
  await page.goto(`${server.url}/print/notice/${encodeURIComponent(caseId)}`);
  await expect(page.locator('[data-testid=notice-entries]').textContent()).resolves.toContain(problem);
  await shot(page, shots[1]);
  await page.goto(casePage);
  // Nothing recorded yet: the page says so rather than send an empty supplement.
  await page.click('[data-testid=record-supplement]');
  await page.locator('text=请记录申请人补交的材料').waitFor();
  // The applicant brought what the notice asks for (the server takes nothing else, and not nothing).
  const app = await callAs(server, 'GET', `/api/applications/${caseId}`, 'clerk1');
  const open = (app.notices as Notice[]).find((n) => n.kind === 'supplement' && !n.resolvedAt)!;
  for (const { materialId } of open.entries.filter((e) => e.materialId))
    await page
      .locator(`[data-testid=materials] tr[data-material=${materialId}] label`, { hasText: '已收取' })
      .click();
  await page.click('[data-testid=record-supplement]');
  await page.locator('.status.status-in-progress').waitFor();
}

/** The applicant opens the evaluation link of a receipt, signs in and gives a level (and whatever `more` adds). */
async function evaluateFromLink(link: string, level: number, more?: (page: Page) => Promise<void>) {
  const { context, page } = await newPage();
  await page.goto(link);
  await page.fill('input[name=username]', 'applicant1');
  await page.fill('input[name=password]', 'applicant1pass');
  await page.click('button[type=submit]');
  await page.locator('[data-testid=submit-evaluation]').waitFor();
  // Submitting without a level is refused next to the levels.
  await page.click('[data-testid=submit-evaluation]');
  await page.locator('text=请选择满意度').waitFor();
  await page.locator(`label.level-${level}`).click();
  await more?.(page);
  await page.click('[data-testid=submit-evaluation]');
  await page.locator('[data-testid=evaluation-done]').waitFor();
  await shot(page, `evaluation-done-${level}`);
  await context.close();
}

describe('web app in Chromium against the real server', () => {
  let caseNumber = '';
  let caseId = '';
  let clerk: Page;
  let supervisorBefore: Record<string, string>;

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    server = await startAppServer('web', { ONETHING_TICK_MS: '1000' });
    browser = await launchChromium();
    clerk = (await newPage()).page;
  }, 240_000);

  afterAll(async () => {
    writeFileSync(join(artifacts, 'trace.log'), trace.join('\n') + '\n');
    await browser?.close();
    await server?.stop();
  });

  test('the supervisor sees the dashboard before anything happens', async () => {
    const { context, page } = await newPage();
    await login(page, 'supervisor1', '/dashboard');
    supervisorBefore = await kpis(page);
    expect(supervisorBefore.applications).toBe('0');
    await context.close();
  }, 60_000);

  test('answers given faster than the form reports them are all kept, and the guide is asked for with all of them', async () => {
    // JSON Forms reports a change 10 ms late and re-applies what it is handed: an answer given in
    // that gap was once undone, and the guide then asked for it again (the flake of this test
    // under load). Here the gap is hit on purpose, and the guide is asked for within it.
    const { context, page } = await newPage();
    await login(page, 'clerk1', '/clerk/new');
    await pickBundle(page, 'business-startup');
    const official = await optionIndex(page, 'situation.sealTypes', 'official');
    const [asked, kept] = await Promise.all([
      page.waitForRequest(
        (r) => r.method() === 'POST' && r.url().endsWith('/form') && !!r.postData()?.includes('entityType'),
      ),
      page.evaluate(async (sealIndex) => {
        const inputs = (q: string, type: string) =>
          document.querySelectorAll<HTMLInputElement>(`[id="#/properties/${q}"] input[type=${type}]`);
        const pick = (q: string, value: string) => {
          const select = document.querySelector<HTMLSelectElement>(`[id="#/properties/${q}-input"]`)!;
          select.value = value;
          select.dispatchEvent(new Event('change', { bubbles: true }));
        };
        inputs('foreignInvestor', 'radio')[1]!.click();
        // The next answer exactly when the first one is reported.
        await new Promise<void>((done) =>
          setTimeout(() => (inputs('hiring', 'radio')[0]!.click(), done()), 10),
        );
        await new Promise((done) => setTimeout(done, 200));
        // The rest, and the guide, in one go: sooner than any report.
        pick('entityType', 'llc');
        pick('premises', 'leased');
        pick('invoices', 'ordinary');
        inputs('sealTypes', 'checkbox')[sealIndex]!.click();
        inputs('bankAppointment', 'radio')[0]!.click();
        Array.from(document.querySelectorAll('button'))
          .find((b) => b.textContent === '生成办事指南')!
          .click();
        await new Promise((done) => setTimeout(done, 200));
        return {
          foreignInvestor: inputs('foreignInvestor', 'radio')[1]!.checked,
          hiring: inputs('hiring', 'radio')[0]!.checked,
          bankAppointment: inputs('bankAppointment', 'radio')[0]!.checked,
        };
      }, official),
    ]);
    expect(kept).toEqual({ foreignInvestor: true, hiring: true, bankAppointment: true });
    expect(asked.postDataJSON().answers).toEqual(sample.situation);
    await page.locator('text=个性化办事指南').waitFor();
    await context.close();
  }, 60_000);

  test('the clerk answers the situation, fills the unified form and sees server errors next to fields', async () => {
    await login(clerk, 'clerk1');
    expect(clerk.url()).toMatch(/\/clerk$/);
    await shot(clerk, '01-clerk-home');
    await clerk.click('text=新建受理');
    await pickBundle(clerk, 'business-startup');
    await answerSituation(clerk, APPLICANT, sample.situation as Record<string, unknown>);
    await clerk.click('text=生成办事指南');
    await clerk
      .locator('text=个性化办事指南')
      .waitFor()
      .catch(async (err) => {
        await shot(clerk, '02-guide-failed');
        writeFileSync(join(artifacts, '02-guide-failed.html'), await clerk.content());
        throw err;
      });
    await shot(clerk, '02-situation-and-guide');
    await clerk.click('text=下一步：填写表单');
    await clerk.locator('[data-testid=unified-form]').waitFor();

    // Everything but the mobile number, typed wrong on purpose: the server's answer lands next to the field.
    const { situation: _situation, ...fields } = sample;
    for (const [k, v] of Object.entries(fields)) await fill(clerk, k, k === 'legalRepMobile' ? '1380013' : v);
    await clerk.click('[data-testid=submit-form]');
    const mobileError = clerk.locator('[id="#/properties/legalRepMobile"] .validation');
    await expect(mobileError.textContent()).resolves.toMatch(/手机/);
    await shot(clerk, '03-form-with-error');
    await clerk.fill(control('legalRepMobile'), String(fields.legalRepMobile));
    await clerk.click('[data-testid=submit-form]');
    await clerk.locator('[data-testid=materials]').waitFor({ timeout: 20_000 });
  }, 180_000);

  test('the clerk checks the materials, records a 告知承诺, accepts and prints the acceptance notice', async () => {
    // Proof of identity: original inspected at the window. Proof of premises: replaced by a commitment.
    await clerk
      .locator('tr[data-material=identityProof] label', { hasText: '已收取' })
      .locator('input')
      .check();
    await clerk.click('[data-testid=accept]');
    await expect(
      clerk.locator('tr[data-material=premisesProof] .field-error').textContent(),
    ).resolves.toMatch(/住所使用证明/);
    await clerk
      .locator('tr[data-material=premisesProof] label', { hasText: '告知承诺' })
      .locator('input')
      .check();
    await clerk.locator('.commitment[data-kind=proof]').waitFor();
    await clerk.click('[data-testid=accept]');
    await expect(clerk.locator('.field-error', { hasText: '签署' }).count()).resolves.toBe(1);
    await clerk.check('input[name=signed]');
    await shot(clerk, '04-materials-and-commitment');
    await clerk.click('[data-testid=accept]');
    await clerk.waitForURL(/\/clerk\/applications\//).catch(async (err) => {
      await shot(clerk, '04-accept-failed');
      throw new Error(`${err}\n${await clerk.locator('.error-banner').allTextContents()}`);
    });
    caseNumber = (await clerk.locator('[data-testid=case-number]').textContent())!.trim();
    caseId = decodeURIComponent(new URL(clerk.url()).pathname.split('/').pop()!);
    expect(caseNumber).toMatch(/^[A-Z]+-\d{8}-/);
    await clerk.locator('[data-testid=items] tr[data-item=enterprise-registration]').waitFor();
    await shot(clerk, '05-accepted');
    await clerk.click('.ok-banner a');
    await expect(clerk.locator('[data-testid=print-number]').textContent()).resolves.toBe(caseNumber);
    await clerk.emulateMedia({ media: 'print' });
    await shot(clerk, '06-print-acceptance-notice');
    expect(await clerk.locator('.print-tools').isVisible()).toBe(false);
    await clerk.emulateMedia({ media: 'screen' });
  }, 120_000);

  test('market regulation sees only its own task and fields, approves and issues the business licence', async () => {
    const { context, page } = await newPage();
    await login(page, 'market-regulation1', '/inbox');
    const rows = page.locator('[data-testid=tasks] tbody tr');
    await rows.first().waitFor();
    for (const id of await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-task'))))
      expect(id).toMatch(/:enterprise-registration$/);
    // Business start-up promises 1 working day: on the day of acceptance that is already the warning band.
    const colour = await rows.first().locator('.badge').getAttribute('data-time-status');
    expect(['normal', 'yellow']).toContain(colour);
    expect(await rows.first().getAttribute('class')).toBe(`row-${colour}`);
    await shot(page, '07-inbox-market-regulation');
    await rows.first().locator('button', { hasText: '认领' }).click();
    const payload = page.locator('[data-testid=payload]');
    await payload.waitFor();
    const shown = await payload
      .locator('tr')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-field')));
    expect(shown).toContain('companyName');
    expect(shown).toContain('legalRepIdNumber');
    // Housing fund and bank fields belong to other departments.
    expect(shown).not.toContain('fundRate');
    expect(shown).not.toContain('bankBranch');
    // Investors' ID numbers are not needed in full by registration: masked.
    expect(await payload.locator('tr[data-field=investors]').textContent()).toMatch(/\*{3,}/);
    expect(await page.content()).not.toContain('11010519491231002X');
    // Reject needs a reason: the page says so next to the field.
    await page.click('[data-tab=reject]');
    await page.click('[data-testid=decide]');
    await expect(page.locator('.field-error').first().textContent()).resolves.toMatch(/理由/);
    await page.click('[data-tab=approve]');
    await page.selectOption('select[name=licenceType]', 'business-licence');
    await page.fill('input[name=resultNumber]', '91440402MA5TEST01X');
    await page.fill('input[name=output-creditCode]', '91440400MA4W12346M'); // the registration's output
    await shot(page, '08-review-market-regulation');
    await page.click('[data-testid=decide]');
    await page.locator('.status.item-approved').first().waitFor();
    await context.close();
  }, 120_000);

  test('tax asks for a supplement while the other departments approve; the window gets one notice', async () => {
    await decide(
      'tax1',
      caseNumber,
      async (page) => {
        const html = await page.content();
        expect(html).not.toContain('91440402MA5TEST01X'); // another department's result is not shown
        await requestSupplement(page, '财务负责人联系电话无法接通', '请提供可接通的联系电话');
      },
      '09-review-tax-supplement',
    );
    for (const user of ['public-security1', 'hrss1', 'medical-security1', 'housing-fund1', 'bank1']) {
      await decide(user, caseNumber, async (page) => {
        await page.click('[data-testid=decide]');
        await page.locator('.status.item-approved').first().waitFor();
      });
    }
    await gatherAndRecordSupplement(clerk, caseId, '财务负责人联系电话无法接通', [
      '10-awaiting-supplement',
      '11-print-one-time-notice',
    ]);
  }, 240_000);

  test('tax approves after the supplement; the clerk delivers and prints the receipt with the evaluation QR code', async () => {
    await decide('tax1', caseNumber, async (page) => {
      await page.click('[data-testid=decide]');
      await page.locator('.status.item-approved').first().waitFor();
    });
    await clerk.goto(`${server.url}/clerk`);
    await clerk.click('text=待出件');
    await clerk.locator(`tr[data-number="${caseNumber}"]`).waitFor();
    await shot(clerk, '12-clerk-results-ready');
    await clerk.locator(`tr[data-number="${caseNumber}"] a`).click();
    await clerk.click('[data-testid=deliver]');
    await clerk.locator('.status.status-delivered').waitFor();
    await clerk.click('text=送达回执');
    await clerk.locator('img.qr').waitFor();
    await shot(clerk, '13-print-delivery-receipt');
  }, 180_000);

  test('the applicant evaluates from the link on the receipt', async () => {
    const link = (await clerk.getAttribute('[data-testid=evaluate-link]', 'href'))!;
    expect(link).toContain(`/evaluate/${encodeURIComponent(caseId)}?channel=qr`);
    await evaluateFromLink(link, 5, async (page) => {
      await page.selectOption('select[name=indicator-efficiency]', '5');
      await page.locator('.chip', { hasText: '办理快捷' }).click();
      await page.fill('textarea[name=comment]', '一次就办好了');
      await shot(page, '14-evaluation');
    });
  }, 60_000);

  test("the supervisor's dashboard counts the case", async () => {
    const { context, page } = await newPage();
    await login(page, 'supervisor1', '/dashboard');
    const after = await kpis(page);
    expect(after.applications).toBe('1');
    expect(after.finished).toBe('1');
    expect(after.onTimeRate).toBe('100.0%');
    expect(after.satisfaction).toBe('100.0%');
    await page.locator('.chart svg').first().waitFor();
    const taxRow = page.locator('[data-testid=department-table] tr[data-department=tax]');
    await expect(taxRow.locator('td').nth(4).textContent()).resolves.toBe('1');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-testid=csv-departments]'),
    ]);
    expect(download.suggestedFilename()).toMatch(/^departments-.*\.csv$/);
    await shot(page, '16-dashboard');
    await page.click('text=English');
    await page.locator('text=Performance').first().waitFor();
    await shot(page, '17-dashboard-en');
    await context.close();
  }, 60_000);

  // 容缺: a bundle whose published list lets a secondary material come later (business start-up
  // allows none, EXAMPLE-BUNDLES.md A). Opening a restaurant: the property owner's consent to the
  // shop sign may follow on a signed deferral commitment; every other material is checked now.
  // In 香洲区, where the demo department users work (the sample's shop is in 金湾区).
  const restaurant: (typeof samples)[string] = {
    ...samples.restaurant!,
    premisesRegion: '440402',
    premisesAddress: '珠海市香洲区某某路18号',
    // The applicant with an account opens the restaurant too, so they can evaluate it.
    operatorIdNumber: APPLICANT.idNumber,
  };
  const OPERATOR = APPLICANT;
  let deferredCase = { id: '', number: '', evaluationLink: '' };

  test('容缺: the clerk accepts with the owner consent for the sign deferred on a signed commitment', async () => {
    const { context, page } = await newPage();
    await login(page, 'clerk1', '/clerk/new');
    await pickBundle(page, 'restaurant');
    await answerSituation(page, OPERATOR, restaurant.situation as Record<string, unknown>);
    await page.click('text=生成办事指南');
    // The guide says at once which material may come later.
    await expect(page.locator('li', { hasText: '业主或物业同意' }).textContent()).resolves.toContain(
      '可容缺',
    );
    await page.click('text=下一步：填写表单');
    await page.locator('[data-testid=unified-form]').waitFor();
    // Fields that repeat a situation answer are taken from it, not asked again.
    const { situation, ...fields } = restaurant;
    for (const [k, v] of Object.entries(fields)) if (!(k in situation!)) await fill(page, k, v);
    await page.click('[data-testid=submit-form]');
    await page
      .locator('[data-testid=materials]')
      .waitFor({ timeout: 20_000 })
      .catch(async (err) => {
        throw new Error(`${err}\n${await page.locator('.error-banner, .validation').allTextContents()}`);
      });
    const rows = page.locator('[data-testid=materials] tr[data-material]');
    for (const id of await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-material')!))) {
      const option = page.locator(`tr[data-material=${id}] label`, {
        hasText: id === 'ownerConsent' ? '容缺后补' : '已收取',
      });
      if (await option.count()) await option.locator('input').check();
    }
    // The deferral commitment names the material; it must be signed before acceptance.
    const commitment = page.locator('.commitment[data-kind=deferral]');
    await expect(commitment.textContent()).resolves.toContain('业主或物业同意设置招牌的证明');
    await page.click('[data-testid=accept]');
    await expect(page.locator('.field-error', { hasText: '签署' }).count()).resolves.toBe(1);
    await page.check('input[name=signed]');
    await shot(page, '18-deferred-material-commitment');
    await page.click('[data-testid=accept]');
    await page.waitForURL(/\/clerk\/applications\//).catch(async (err) => {
      throw new Error(`${err}\n${await page.locator('.error-banner, .field-error').allTextContents()}`);
    });
    deferredCase = {
      evaluationLink: '',
      id: decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!),
      number: (await page.locator('[data-testid=case-number]').textContent())!.trim(),
    };
    const consent = page.locator('.material-status li[data-material=ownerConsent]');
    await expect(consent.textContent()).resolves.toMatch(/容缺 · 待补交/);
    await shot(page, '19-accepted-with-deferral');
    await context.close();
  }, 180_000);

  test('容缺: the departments decide meanwhile, one asks for a supplement; results wait until the consent arrives, then are delivered', async () => {
    const approve = async (page: Page) => {
      await page.click('[data-testid=decide]');
      await page.locator('.status.item-approved').first().waitFor();
    };
    await decide('urban-management1', deferredCase.number, (page) =>
      requestSupplement(page, '招牌设计图未标注尺寸', '请补充标注尺寸的招牌设计图'),
    );
    for (const user of ['market-regulation1', 'fire-rescue1', 'water-authority1'])
      await decide(user, deferredCase.number, approve);
    const { context, page } = await newPage();
    await login(page, 'clerk1', `/clerk/applications/${encodeURIComponent(deferredCase.id)}`);
    await gatherAndRecordSupplement(page, deferredCase.id, '招牌设计图未标注尺寸', [
      '20-deferred-case-one-time-notice',
      '21-deferred-case-print-notice',
    ]);
    await decide('urban-management1', deferredCase.number, approve);
    await page.goto(`${server.url}/clerk/applications/${encodeURIComponent(deferredCase.id)}`);
    await page.locator('.status.status-results-ready').waitFor();
    // Every item is decided, but the results wait for the deferred material.
    await expect(page.locator('[data-testid=deliver-waits]').textContent()).resolves.toContain(
      '业主或物业同意设置招牌的证明',
    );
    expect(await page.locator('[data-testid=deliver]').isDisabled()).toBe(true);
    await shot(page, '22-results-wait-for-deferred-material');
    // The applicant brings it: the clerk records it at the window.
    await page
      .locator('[data-testid=materials] tr[data-material=ownerConsent] label', { hasText: '已收取' })
      .locator('input')
      .check();
    await page.click('[data-testid=record-supplement]');
    const consent = page.locator('.material-status li[data-material=ownerConsent]', { hasText: '已补交' });
    await expect(consent.textContent()).resolves.toMatch(/已收取 · 已补交/);
    await page.click('[data-testid=deliver]');
    await page.locator('.status.status-delivered').waitFor();
    await shot(page, '23-deferred-case-delivered');
    await page.click('text=送达回执');
    await page.locator('img.qr').waitFor();
    deferredCase.evaluationLink = (await page.getAttribute('[data-testid=evaluate-link]', 'href'))!;
    await context.close();
  }, 240_000);

  test('容缺: the applicant evaluates the restaurant case and the dashboard counts both cases', async () => {
    expect(deferredCase.evaluationLink).toContain(
      `/evaluate/${encodeURIComponent(deferredCase.id)}?channel=qr`,
    );
    await evaluateFromLink(deferredCase.evaluationLink, 4);
    const { context, page } = await newPage();
    await login(page, 'supervisor1', '/dashboard');
    const after = await kpis(page);
    expect(after.applications).toBe('2');
    expect(after.finished).toBe('2');
    expect(after.satisfaction).toBe('100.0%');
    const urbanRow = page.locator('[data-testid=department-table] tr[data-department=urban-management]');
    await expect(urbanRow.locator('td').nth(4).textContent()).resolves.toBe('1');
    await shot(page, '24-dashboard-both-cases');
    await context.close();
  }, 120_000);

  test('no script errors on any page', () => {
    expect(pageErrors).toEqual([]);
  });
});
