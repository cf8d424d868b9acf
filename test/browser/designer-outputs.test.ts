/**
 * Today's bundle settings in the designer, in a real browser on the real server (its
 * Content-Security-Policy too): item outputs and the needs of later items chosen from a list,
 * kept consistent on rename and removal, checked in the server's words before deploy (and
 * refused by the server in the same words); the applicant's age; a special step's own time limit,
 * required in the properties panel and flagged by the checker; the server's reference checks (a
 * department removed while in use, an `after` naming no item) shown where they are. Opening an
 * example and downloading it keeps outputs, needs and applicantAge as they were. Chromium via
 * playwright-core.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { callAs, startAppServer, type AppServer } from './app-server.js';
import { launchChromium } from './chromium.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const artifacts = fileURLToPath(new URL('./artifacts/', import.meta.url));

let app: AppServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  execFileSync(process.execPath, ['bin/build-apps.js', '--if-missing', 'designer'], {
    cwd: root,
    stdio: 'inherit',
  });
  app = await startAppServer('designer-outputs');
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1600, height: 1000 }, acceptDownloads: true });
  page.on('pageerror', (err) => pageErrors.push(err.message));
  // The refused deploy answers 422 on purpose; anything else logged as an error counts.
  page.on(
    'console',
    (m) => m.type() === 'error' && !m.text().includes('status of 422') && pageErrors.push(m.text()),
  );
  page.on('dialog', (d) => void d.accept());
  await page.goto(`${app.url}/designer/`);
  await page.locator('.djs-element[data-element-id="registration"]').waitFor();
  await page.click('[data-testid=sign-in]');
  await page.fill('[data-testid=login] input[name=password]', 'analyst1pass');
  await page.click('[data-testid=login] button[type=submit]');
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

afterEach(() => expect(pageErrors).toEqual([]));

async function openBundle(code: string) {
  await page.waitForFunction(
    (c) =>
      Array.from(document.querySelectorAll('[data-testid=open-bundle] option')).some(
        (o) => (o as HTMLOptionElement).value === c,
      ),
    code,
  );
  await page.selectOption('[data-testid=open-bundle]', code);
  await page.locator('[data-testid=status]', { hasText: code }).waitFor();
}

/** The bundle.json the designer downloads, parsed. */
async function downloadedBundle(): Promise<unknown> {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('header button:has-text("bundle.json")'),
  ]);
  return JSON.parse(readFileSync(await download.path(), 'utf8'));
}

/** The item's card in the items tab, opened. */
async function itemCard(code: string) {
  await page.click('[data-tab=items]');
  const card = page.locator(`details[data-item="${code}"]`);
  if ((await card.getAttribute('open')) === null) await card.locator('summary').click();
  await card.locator('[data-testid=outputs]').waitFor();
  return card;
}

const lintErrors = () =>
  page
    .locator('[data-testid=lint-summary]')
    .getAttribute('data-errors')
    .then((n) => Number(n));

async function waitForErrors(want: 'none' | 'some') {
  await page.waitForFunction((w) => {
    const n = Number(document.querySelector('[data-testid=lint-summary]')?.getAttribute('data-errors'));
    return w === 'none' ? n === 0 : n > 0;
  }, want);
}

test('opening the examples and downloading them keeps outputs, needs and applicantAge', async () => {
  for (const code of ['business-startup', 'newborn', 'flexible-employment']) {
    await openBundle(code);
    const served = (await callAs(app, 'GET', `/api/bundles/${code}`, 'analyst1')).definition;
    const downloaded = (await downloadedBundle()) as typeof served;
    expect(downloaded).toEqual(served);
    const example = JSON.parse(readFileSync(`${root}examples/${code}/bundle.json`, 'utf8'));
    expect(downloaded.applicantAge).toEqual(example.applicantAge);
    expect(downloaded.items.map((i: { outputs?: unknown; needs?: unknown }) => [i.outputs, i.needs])).toEqual(
      example.items.map((i: { outputs?: unknown; needs?: unknown }) => [i.outputs, i.needs]),
    );
  }
}, 120_000);

test('a result is marked sensitive (a child’s certificate number) and the mark is downloaded with it', async () => {
  await openBundle('newborn');
  const card = await itemCard('birth-certificate');
  const select = card.locator('[data-output="0"] select[name=output-sensitivity]');
  expect(await select.inputValue()).toBe('sensitive');
  await select.selectOption('');
  type Items = { items: { code: string; outputs?: object[] }[] };
  let items = ((await downloadedBundle()) as Items).items;
  expect(items.find((i) => i.code === 'birth-certificate')!.outputs![0]).not.toHaveProperty('sensitivity');
  await select.selectOption('sensitive');
  items = ((await downloadedBundle()) as Items).items;
  expect(items.find((i) => i.code === 'birth-certificate')!.outputs![0]).toMatchObject({
    sensitivity: 'sensitive',
  });
}, 60_000);

test('needs are chosen from the outputs of earlier items, and follow renames and removals', async () => {
  await openBundle('business-startup');
  await waitForErrors('none');
  const seal = await itemCard('seal-filing');
  expect(await seal.locator('[data-testid=needs] tr').getAttribute('data-need')).toBe(
    'enterprise-registration/creditCode',
  );
  expect(await seal.locator('[data-testid=needs]').textContent()).toContain(
    '企业设立登记 · 统一社会信用代码',
  );
  // Its only earlier output is chosen already: nothing left to pick.
  expect(await seal.locator('[data-testid=add-need]').isDisabled()).toBe(true);

  // Registration records a second result; seal filing may now pick it.
  const registration = await itemCard('enterprise-registration');
  await registration.locator('[data-testid=add-output]').click();
  const added = registration.locator('[data-output="1"]');
  await added.locator('input[name=output-key]').fill('licenceNo');
  await added.locator('input[name=output-label-zh]').fill('营业执照编号');
  await added.locator('input[name=output-label-en]').fill('Business licence number');
  await registration.screenshot({ path: `${artifacts}designer-outputs-editor.png` });
  await itemCard('seal-filing');
  const picker = seal.locator('[data-testid=add-need]');
  expect(await picker.locator('option').allTextContents()).toEqual([
    '选择需要的办理结果…',
    '企业设立登记 · 营业执照编号 (enterprise-registration.licenceNo)',
  ]);
  await picker.selectOption('enterprise-registration/licenceNo');
  await seal.locator('tr[data-need="enterprise-registration/licenceNo"]').waitFor();

  // A renamed output is followed by the needs of it.
  await itemCard('enterprise-registration');
  await registration.locator('[data-output="1"] input[name=output-key]').fill('businessLicenceNo');
  await itemCard('seal-filing');
  await seal.locator('tr[data-need="enterprise-registration/businessLicenceNo"]').waitFor();

  // A removed output takes the need away, and the analyst is told.
  await itemCard('enterprise-registration');
  await registration.locator('[data-output="1"] [data-testid=remove-output]').click();
  await page
    .locator('[data-testid=status]', {
      hasText: '以下事项不再需要其办理结果：印章刻制备案（企业设立登记 · 营业执照编号）',
    })
    .waitFor();
  await itemCard('seal-filing');
  expect(await seal.locator('[data-testid=needs] tr').count()).toBe(1);
  await waitForErrors('none');
}, 120_000);

test('a need of an item that does not come before is flagged in the server’s words, which refuses it alike', async () => {
  await openBundle('business-startup');
  const seal = await itemCard('seal-filing');
  await seal.locator('[data-testid=after] input[data-after="enterprise-registration"]').uncheck();
  const need = seal.locator('tr[data-need="enterprise-registration/creditCode"]');
  await need.locator('small.error').waitFor();
  const flagged = (await need.locator('small.error').textContent())!;
  expect(flagged).toContain('该事项不在本事项之前 (after)');
  expect(await lintErrors()).toBe(1);
  expect(await page.locator('[data-testid=bundle-checks] li').getAttribute('data-field')).toBe(
    'bundle.items.seal-filing.needs.0',
  );
  expect(
    await page.locator('details[data-item="seal-filing"] [data-testid=item-problems]').textContent(),
  ).toBe('⚠ 1');
  await page.screenshot({ path: `${artifacts}designer-outputs-need-problem.png` });

  // The server refuses the deploy with the same words.
  await page.click('[data-testid=deploy]');
  await page
    .locator('[data-testid=bundle-problems] li', { hasText: 'bundle.items.seal-filing.needs.0' })
    .waitFor();
  expect(await page.locator('[data-testid=bundle-problems] li').first().textContent()).toContain(flagged);

  // In English, the checks speak English.
  await page.click('[data-testid=lang]');
  await page.locator('[data-testid=bundle-checks] li', { hasText: 'does not come before it' }).waitFor();
  await page.click('[data-testid=lang]');
  await page.locator('[data-testid=bundle-checks] li', { hasText: '不在本事项之前' }).waitFor();

  // Coming after it again clears it.
  const again = await itemCard('seal-filing');
  await again.locator('[data-testid=after] input[data-after="enterprise-registration"]').check();
  await waitForErrors('none');
  expect(await page.locator('[data-testid=bundle-checks]').count()).toBe(0);
}, 120_000);

test('the applicant’s age is edited in the general part, with the rule in words', async () => {
  await openBundle('flexible-employment');
  await page.click('[data-tab=general]');
  const age = page.locator('[data-testid=applicant-age]');
  expect(await age.locator('input[name=limit-age]').isChecked()).toBe(true);
  expect(await age.locator('input[name=min-age]').inputValue()).toBe('16');
  expect(await age.locator('input[name=below-retirement]').isChecked()).toBe(true);
  expect(await age.locator('select[name=female-retirement-age]').inputValue()).toBe('55');
  expect(await age.locator('[data-testid=age-rule]').textContent()).toContain(
    '未满16周岁或已达到法定退休年龄',
  );

  await age.locator('input[name=min-age]').fill('200');
  await age.locator('small.error', { hasText: '不能大于120' }).waitFor();
  await waitForErrors('some');
  await age.locator('input[name=min-age]').fill('18');
  await age.locator('select[name=female-retirement-age]').selectOption('50');
  await waitForErrors('none');
  expect(await age.locator('[data-testid=age-rule]').textContent()).toContain('未满18周岁');
  expect(((await downloadedBundle()) as { applicantAge: unknown }).applicantAge).toEqual({
    min: 18,
    belowRetirement: true,
    femaleRetirementAge: 50,
  });

  await age.locator('input[name=limit-age]').uncheck();
  expect('applicantAge' in ((await downloadedBundle()) as object)).toBe(false);
}, 120_000);

test('a special step without its own time limit is required in the panel and flagged by the checker', async () => {
  await openBundle('restaurant');
  await waitForErrors('none');
  await page.click('.djs-element[data-element-id="foodInspection"]');
  const header = page.locator('[data-group-id="group-gov"] .bio-properties-panel-group-header');
  await header.waitFor();
  if (!(await header.getAttribute('class'))!.includes('open')) await header.click();
  const limit = page.locator('[data-entry-id="gov-timeLimit"]');
  expect(await limit.locator('label').textContent()).toBe('本环节时限（工作日，必填）');

  const words = '特殊环节（gov:specialStep="true"）必须设置本环节的时限：请填写 gov:timeLimit（工作日）';
  await limit.locator('input').fill('');
  await limit.locator('input').blur();
  await page.locator('[data-testid=issues] .issue[data-rule="gov/time-limit"]', { hasText: words }).waitFor();
  expect(await limit.locator('.bio-properties-panel-error').textContent()).toBe(words);
  await page.screenshot({ path: `${artifacts}designer-outputs-special-step.png` });

  // Not a special step: an ordinary department task's limit, and its own message.
  await page.locator('[data-entry-id="gov-specialStep"] input').uncheck();
  expect(await limit.locator('label').textContent()).toBe('办理时限（工作日）');
  await page
    .locator('[data-testid=issues] .issue[data-rule="gov/time-limit"]', { hasText: '未设置办理时限' })
    .waitFor();
  expect(await limit.locator('.bio-properties-panel-error').count()).toBe(0);

  await page.locator('[data-entry-id="gov-specialStep"] input').check();
  await limit.locator('input').fill('4');
  await limit.locator('input').blur();
  await waitForErrors('none');
}, 120_000);

test('the server’s reference checks show where they are: a department still in use removed, an after naming no item', async () => {
  await openBundle('newborn');
  await waitForErrors('none');
  // The clinic is removed from the departments while the vaccination item (and its task) still use it.
  await page.click('[data-tab=general]');
  const rows = page.locator('.bundle table.rows tr');
  const clinic = await rows.evaluateAll((trs) =>
    trs.findIndex((tr) => tr.querySelector('input')?.value === 'vaccination-clinic'),
  );
  await rows.nth(clinic).locator('button').click();
  const field = 'bundle.items.vaccination-certificate.department';
  const words = '事项“vaccination-certificate”的部门“vaccination-clinic”不在部门列表中';
  await page.locator(`[data-testid=bundle-checks] li[data-field="${field}"]`, { hasText: words }).waitFor();
  // The task in the diagram is flagged by the checker too (the BPMN's gov:department).
  await page
    .locator('[data-testid=issues] .issue[data-rule$="user-task-assignment"]', {
      hasText: '部门 "vaccination-clinic" 不在事项包中',
    })
    .waitFor();
  const card = await itemCard('vaccination-certificate');
  expect(await card.locator('[data-testid=item-problems]').textContent()).toBe('⚠ 1');
  // The select shows the code it holds (not the first department), with the check's words.
  const department = card.locator('label.field.has-error', { has: page.locator('select') }).first();
  expect(await department.locator('select').inputValue()).toBe('vaccination-clinic');
  expect(await department.locator('small.error').textContent()).toBe(words);
  await department.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${artifacts}designer-reference-checks.png` });

  // The server refuses the deploy for it in the checker's own words, Chinese and English.
  await page.click('[data-testid=deploy]');
  await page.locator('[data-testid=bundle-problems] li', { hasText: words }).waitFor();
  await page.click('[data-testid=lang]');
  await page.click('[data-testid=deploy]');
  const refused = page.locator('[data-testid=bundle-problems] li', {
    hasText: 'department "vaccination-clinic" is not in departments',
  });
  await refused.waitFor();
  const english = page.locator(`[data-testid=bundle-checks] li[data-field="${field}"]`);
  await english.locator('text=is not in departments').waitFor();
  expect(await refused.textContent()).toContain((await english.textContent())!.replace(field, '').trim());
  await page.click('[data-testid=lang]');

  // A bundle.json from a file whose item comes after an item the bundle lacks: the box is shown
  // ticked with the check's words, and unticking it leaves nothing to fix.
  const bundle = JSON.parse(readFileSync(`${root}examples/newborn/bundle.json`, 'utf8'));
  bundle.items.find((i: { code: string }) => i.code === 'medical-enrolment').after.push('baby-passport');
  await page.setInputFiles('input[type=file]', {
    name: 'newborn.bundle.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(bundle)),
  });
  const enrolment = await itemCard('medical-enrolment');
  const after = enrolment.locator('[data-testid=after]');
  await after
    .locator('small.error', { hasText: '前置事项 (after)“baby-passport”不是本事项包的事项' })
    .waitFor();
  expect(await lintErrors()).toBe(1);
  // Unticked, the box goes with the code (a click: uncheck() would look for the box afterwards).
  await after.locator('input[data-after="baby-passport"]').click();
  await waitForErrors('none');
  expect(await after.locator('input[data-after="baby-passport"]').count()).toBe(0);
}, 120_000);
