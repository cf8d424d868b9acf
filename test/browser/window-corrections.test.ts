/**
 * Corrections at the clerk's window and what the departments read, in Chromium against the real
 * server (SQLite in a temporary directory, web/dist served): the form survives going back to the
 * applicant step; a wrong ID number is caught on that step, and one corrected after the draft was
 * saved goes with the draft's update; a department's request to correct form fields is filled in
 * at the window and only the fields given a value are sent; a notice's free-text entries are
 * answered by a supplement with nothing in it; a department withdraws its unanswered request; an
 * empty 不予受理 reason is caught next to the box; code-table values show as their labels in the
 * form and on the department's page.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { samples } from '../../forms/src/testing/samples.js';
import { callAs, signIn, startAppServer, type AppServer } from './app-server.js';
import { launchChromium } from './chromium.js';
import { answerSituation, control, pickBundle } from './unified-form.js';

const startup = samples['business-startup']!;
const APPLICANT = { name: '张三', idNumber: '440402199003071232', phone: '13800138000' };
/** The same number with a wrong check character. */
const MISTYPED_ID = '440402199003071233';
const CORRECTED_ID = '440402198511205677';

let server: AppServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (m) => {
    // Refusals the page shows (422…) are logged by Chromium as failed loads; they are expected here.
    if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) pageErrors.push(m.text());
  });
  return page;
}

/** A case of `bundle` with its sample data, created and submitted at the window over the API. */
async function submittedCase(bundle: string): Promise<{ id: string; materials: { id: string }[] }> {
  const { situation: answers, ...data } = samples[bundle]!;
  const app = await callAs(server, 'POST', '/api/applications', 'clerk1', {
    bundleCode: bundle,
    answers,
    data,
    applicant: { kind: 'person', ...APPLICANT },
  });
  await callAs(server, 'POST', `/api/applications/${app.id}/submit`, 'clerk1');
  return app;
}

/** Accepted with every required material the applicant brings recorded as provided. */
async function acceptedCase(bundle: string): Promise<string> {
  const app = await submittedCase(bundle);
  const materials = (app.materials as { id: string; status: string; required: boolean }[])
    .filter((m) => m.status === 'missing' && m.required)
    .map((m) => ({ id: m.id, status: 'provided' }));
  await callAs(server, 'POST', `/api/applications/${app.id}/accept`, 'clerk1', { materials });
  return app.id;
}

beforeAll(async () => {
  server = await startAppServer('corrections');
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await server?.stop();
});

describe('the clerk’s wizard keeps what was typed', () => {
  let page: Page;
  let draftId = '';

  test('a wrong ID number is told on the applicant step; the form survives going back', async () => {
    page = await newPage();
    await signIn(page, server, 'clerk1', '/clerk/new');
    await pickBundle(page, 'business-startup');
    await answerSituation(page, { ...APPLICANT, idNumber: MISTYPED_ID }, startup.situation as never);
    await page.click('text=下一步：填写表单');
    const idError = page.locator('label:has(input[name="applicant.idNumber"]) .field-error');
    await expect(idError.textContent()).resolves.toBe('居民身份证号码不正确');
    expect(await page.locator('[data-testid=unified-form]').count()).toBe(0);

    await page.fill('input[name="applicant.idNumber"]', APPLICANT.idNumber);
    await page.click('text=下一步：填写表单');
    await page.locator('[data-testid=unified-form]').waitFor();
    await page.fill(control('companyName'), String(startup.companyName));
    await page.fill(control('address'), String(startup.address));
    await page.click('text=上一步');
    await page.locator('[data-testid=situation-form]').waitFor();
    await page.click('text=下一步：填写表单');
    await page.locator('[data-testid=unified-form]').waitFor();
    expect(await page.inputValue(control('companyName'))).toBe(startup.companyName);
    expect(await page.inputValue(control('address'))).toBe(startup.address);
  }, 90_000);

  test('an applicant corrected after the draft was saved goes with the draft’s update', async () => {
    // The form is incomplete: the draft is saved, the check refuses it.
    const [created] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/api/applications')),
      page.click('[data-testid=submit-form]'),
    ]);
    draftId = ((await created.json()) as { id: string }).id;
    await page.locator('.error-banner').waitFor();
    await page.click('text=上一步');
    await page.fill('input[name="applicant.idNumber"]', CORRECTED_ID);
    await page.click('text=下一步：填写表单');
    await page.locator('[data-testid=unified-form]').waitFor();
    expect(await page.inputValue(control('companyName'))).toBe(startup.companyName);
    const [update] = await Promise.all([
      page.waitForRequest((r) => r.method() === 'PATCH' && r.url().endsWith(`/api/applications/${draftId}`)),
      page.click('[data-testid=submit-form]'),
    ]);
    expect(update.postDataJSON()).toMatchObject({
      applicant: { kind: 'person', name: APPLICANT.name, idNumber: CORRECTED_ID },
      data: { companyName: startup.companyName, address: startup.address },
    });
  }, 60_000);

  test('the server keeps the corrected ID number', async () => {
    await page.locator('.error-banner').waitFor();
    const saved = await callAs(server, 'GET', `/api/applications/${draftId}`, 'clerk1');
    expect(saved.applicant.idNumber.slice(-4)).toBe(CORRECTED_ID.slice(-4));
  }, 30_000);
});

/** Accepted business-startup case whose enterprise registration asks for `entries`, sent in a notice. */
async function caseAskedFor(entries: object[]): Promise<{ id: string; task: string }> {
  const id = await acceptedCase('business-startup');
  const task = `${id}:enterprise-registration`;
  await callAs(server, 'POST', `/api/tasks/${task}/claim`, 'market-regulation1', {});
  await callAs(server, 'POST', `/api/tasks/${task}/request-supplement`, 'market-regulation1', { entries });
  await callAs(server, 'POST', `/api/applications/${id}/notice`, 'clerk1', {});
  return { id, task };
}

/** Clicks 记录补正 and, once the server has taken it, returns what the supplement sent. */
async function recordSupplement(page: Page): Promise<unknown> {
  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/supplement')),
    page.click('[data-testid=record-supplement]'),
  ]);
  if (!answer.ok()) throw new Error(`supplement refused: ${answer.status()} ${await answer.text()}`);
  return answer.request().postDataJSON();
}

test('a department’s request to correct form fields is filled in at the window; only those given a value are sent', async () => {
  const { id, task } = await caseAskedFor([
    { fieldId: 'companyName', problem: '企业名称与已登记企业重名', requirement: '请更换企业名称' },
    { fieldId: 'legalRepMobile', problem: '法定代表人手机无法接通' },
  ]);

  const page = await newPage();
  await signIn(page, server, 'clerk1', `/clerk/applications/${encodeURIComponent(id)}`);
  const corrections = page.locator('[data-testid=field-corrections]');
  await corrections.waitFor();
  // The case's name to start from; the mobile is sensitive (the window sees it masked): empty.
  expect(await corrections.locator(control('companyName')).inputValue()).toBe(startup.companyName);
  expect(await corrections.locator(control('legalRepMobile')).inputValue()).toBe('');
  expect(await page.locator('[data-testid=free-text-answered]').count()).toBe(0);
  // Nothing filled in: the page says so rather than send an empty supplement.
  const supplements: string[] = [];
  page.on('request', (r) => r.url().endsWith('/supplement') && supplements.push(r.url()));
  await corrections.locator(control('companyName')).fill('');
  await page.click('[data-testid=record-supplement]');
  await page.locator('text=请填写更正后的内容或记录申请人补交的材料').waitFor();
  expect(supplements).toEqual([]);

  // The blank mobile is not sent, nor asked for: the applicant answers the rest later.
  const renamed = '珠海市新名字科技有限公司';
  await corrections.locator(control('companyName')).fill(renamed);
  // The field's text below it shows only while it has focus: leave it first, or the click's own
  // blur moves the button from under the pointer.
  await corrections.locator(control('companyName')).blur();
  await expect(recordSupplement(page)).resolves.toEqual({ data: { companyName: renamed } });
  const reviewed = await callAs(
    server,
    'GET',
    `/api/tasks/${encodeURIComponent(task)}`,
    'market-regulation1',
  );
  expect(reviewed.payload.companyName).toBe(renamed);

  await corrections.locator(control('legalRepMobile')).fill('13912345678');
  await expect(recordSupplement(page)).resolves.toMatchObject({ data: { legalRepMobile: '13912345678' } });
  await page.locator('.status.status-in-progress').waitFor();
}, 90_000);

test('a notice’s other (free-text) entries are answered at the window: the supplement may carry nothing', async () => {
  const { id } = await caseAskedFor([{ problem: '经营范围表述不清', requirement: '请申请人到窗口说明' }]);
  const page = await newPage();
  await signIn(page, server, 'clerk1', `/clerk/applications/${encodeURIComponent(id)}`);
  await expect(page.locator('[data-testid=free-text-answered]').textContent()).resolves.toBe(
    '其他补正事项：申请人已在窗口答复',
  );
  await expect(recordSupplement(page)).resolves.toEqual({});
  await page.locator('.status.status-in-progress').waitFor();
}, 90_000);

test('a department withdraws its unanswered supplement request; the item is under review again', async () => {
  const id = await acceptedCase('business-startup');
  const task = `${id}:enterprise-registration`;
  await callAs(server, 'POST', `/api/tasks/${task}/claim`, 'market-regulation1', {});
  await callAs(server, 'POST', `/api/tasks/${task}/request-supplement`, 'market-regulation1', {
    entries: [{ problem: '请补充说明经营场所用途' }],
  });
  const page = await newPage();
  await signIn(page, server, 'market-regulation1', `/inbox/${encodeURIComponent(task)}`);
  await page.locator('.status.item-needs-supplement').waitFor();
  const [sent] = await Promise.all([
    page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/withdraw-supplement')),
    page.click('[data-testid=withdraw-supplement]'),
  ]);
  expect(sent.postDataJSON()).toEqual({});
  await page.locator('.status.item-reviewing').waitFor();
  await page.locator('[data-testid=decide]').waitFor();
  expect(await page.locator('[data-testid=withdraw-supplement]').count()).toBe(0);

  // The window's timeline names the withdrawal, not its key.
  const clerk = await newPage();
  await signIn(clerk, server, 'clerk1', `/clerk/applications/${encodeURIComponent(id)}`);
  await clerk.locator('.timeline li:has-text("部门撤回补正要求")').waitFor();
  expect(await clerk.locator('.timeline li:has-text("event.")').count()).toBe(0);
}, 90_000);

test('不予受理 without a reason is refused next to the reason box, before the server is asked', async () => {
  const { id } = await submittedCase('business-startup');
  const page = await newPage();
  const refusals: string[] = [];
  page.on('request', (r) => r.url().endsWith('/refuse') && refusals.push(r.url()));
  await signIn(page, server, 'clerk1', `/clerk/applications/${encodeURIComponent(id)}`);
  await page.click('summary:has-text("不予受理")');
  const reason = page.locator('textarea[name=reason]');
  expect(await reason.getAttribute('maxlength')).toBe('2000');
  await page.click('button.danger:has-text("不予受理")');
  await expect(page.locator('label:has(textarea[name=reason]) + .field-error').textContent()).resolves.toBe(
    '请填写不予受理的理由',
  );
  expect(refusals).toEqual([]);
}, 60_000);

test('code-table values read as their labels: the clerk’s form and the department’s page', async () => {
  const newborn = samples['newborn']!;
  const clerk = await newPage();
  await signIn(clerk, server, 'clerk1', '/clerk/new');
  await pickBundle(clerk, 'newborn');
  await answerSituation(clerk, APPLICANT, newborn.situation as never);
  await clerk.click('text=下一步：填写表单');
  await clerk.locator('[data-testid=unified-form]').waitFor();
  // JSON Forms writes an option's text in its label attribute.
  const options = clerk.locator(`${control('babyGender')} option`);
  expect(await options.evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).label))).toEqual([
    '请选择',
    '男',
    '女',
  ]);

  const id = await acceptedCase('newborn');
  const department = await newPage();
  await signIn(department, server, 'medical-security1', '/inbox');
  // Enrolment waits for the birth certificate (an earlier item).
  await department.click('[data-tab=waiting]');
  // The list's last column is read out by screen readers by its name, not its message key.
  await expect(department.locator('[data-testid=tasks] thead th .sr-only').textContent()).resolves.toBe(
    '操作',
  );
  await department.goto(`${server.url}/inbox/${encodeURIComponent(`${id}:medical-enrolment`)}`);
  const row = department.locator('[data-testid=payload] tr[data-field=babyGender] td');
  await expect(row.textContent()).resolves.toBe(newborn.babyGender === '2' ? '女' : '男');
}, 90_000);

test('no page errors', () => {
  expect(pageErrors).toEqual([]);
});
