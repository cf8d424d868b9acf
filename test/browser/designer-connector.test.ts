/**
 * The designer's connector fields in a real browser (Chromium via playwright-core): an analyst
 * turns a service task into a department-system call in the properties panel; a bad URL, bad FEEL
 * and a bad timeout are flagged there, and the saved model compiles in the engine with the values.
 * Rebuilds the designer when designer/dist is missing or older than the panel's sources.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { parseAndCompile } from '../../engine/src/model/index.js';
import { launchChromium } from './chromium.js';
import { startDesignerFixture, type Fixture } from './designer-fixture.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SOURCES = [
  'designer/src/modeler/gov-properties.ts',
  'designer/src/modeler/zh.ts',
  'engine/src/model/connector-spec.ts',
  'engine/src/model/gov-moddle.json',
];

let fixture: Fixture;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

function distIsStale(): boolean {
  const index = `${root}designer/dist/index.html`;
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return SOURCES.some((s) => statSync(`${root}${s}`).mtimeMs > built);
}

beforeAll(async () => {
  if (distIsStale())
    execFileSync(process.execPath, ['bin/build-apps.js', 'designer'], { cwd: root, stdio: 'inherit' });
  fixture = await startDesignerFixture();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await fixture?.close();
});

const entry = (id: string) => page.locator(`[data-entry-id="${id}"]`);

async function typeInFeel(id: string, text: string) {
  const editor = page.locator(`[data-entry-id="${id}"] [contenteditable="true"]`);
  await editor.click();
  await page.keyboard.press('End');
  await page.keyboard.type(text);
}

test('a service task becomes a checked department-system call in the properties panel', async () => {
  await page.goto(`${fixture.url}/designer/`);
  await page.locator('.djs-element[data-element-id="registration"]').waitFor();
  await page.evaluate(() => {
    const m = window.designer!.modeler;
    const task = m
      .get('modeling')
      .createShape({ type: 'bpmn:ServiceTask' }, { x: 400, y: 600 }, m.get('canvas').getRootElement());
    m.get('modeling').updateProperties(task, { id: 'askTax', name: '税务核验' });
    m.get('selection').select(task);
  });
  const header = page.locator('[data-group-id="group-gov-connector"] .bio-properties-panel-group-header');
  await header.waitFor();
  expect(await header.textContent()).toContain('部门系统调用');
  if (!(await header.getAttribute('class'))!.includes('open')) await header.click();

  // Only the URL until there is one: the engine refuses the other attributes without it.
  const url = page.locator('input[name="gov-url"]');
  await url.waitFor();
  expect(await entry('gov-method').count()).toBe(0);
  await url.fill('ftp://tax.example.gov.cn/clearance');
  await page.locator('[data-entry-id="gov-url"].has-error').waitFor();
  expect(await entry('gov-url').textContent()).toContain('must use http or https');
  await url.fill('https://tax.example.gov.cn/api/clearance');
  await page.locator('[data-entry-id="gov-url"]:not(.has-error)').waitFor();

  await page.locator('select[name="gov-method"]').selectOption('PUT');
  // FEEL is checked with the engine's compiler while typing.
  await typeInFeel('gov-body', 'applicant +');
  await page.locator('[data-entry-id="gov-body"].has-error').waitFor();
  // The engine compiler's words, not the FEEL editor's own "Unparsable FEEL expression.".
  expect(await entry('gov-body').locator('.bio-properties-panel-error').textContent()).toMatch(
    /^FEEL 语法错误：/,
  );
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Backspace');
  await page.locator('[data-entry-id="gov-body"]:not(.has-error)').waitFor();
  await typeInFeel('gov-result', '{taxCleared: response.cleared');
  // The editor may close the bracket itself.
  const result = page.locator('[data-entry-id="gov-result"] [contenteditable="true"]');
  if (!(await result.textContent())!.includes('}')) await page.keyboard.type('}');
  await page.locator('[data-entry-id="gov-result"]:not(.has-error)').waitFor();

  const timeout = page.locator('input[name="gov-timeout"]');
  const storedTimeout = () =>
    page.evaluate(() =>
      window.designer!.modeler.get('elementRegistry').get('askTax').businessObject.get('gov:timeout'),
    );
  // Out of range: the field marks it invalid and nothing reaches the model.
  await timeout.fill('0');
  await page.locator('input[name="gov-timeout"]:invalid').waitFor();
  expect(await storedTimeout()).toBeUndefined();
  await timeout.fill('20');
  await page.locator('input[name="gov-timeout"]:valid').waitFor();
  await page.waitForFunction(
    () =>
      window.designer!.modeler.get('elementRegistry').get('askTax').businessObject.get('gov:timeout') === 20,
  );
  await page.locator('input[name="gov-errorCode"]').fill('TAX_REFUSED');
  await page.locator('input[name="gov-errorCode"]').blur();

  // The saved model carries the values, and the engine compiles the task into a connector.
  await page.waitForFunction(async () => {
    const { xml } = await window.designer!.modeler.saveXML();
    return /gov:errorCode="TAX_REFUSED"/.test(xml) && /gov:timeout="20"/.test(xml);
  });
  const xml: string = await page.evaluate(async () => (await window.designer!.modeler.saveXML()).xml);
  const task = /<bpmn:serviceTask id="askTax"[^>]*>/.exec(xml)![0];
  expect(task).toContain('gov:url="https://tax.example.gov.cn/api/clearance"');
  expect(task).toContain('gov:method="PUT"');
  expect(task).toMatch(/gov:body="=?\s*applicant"/);
  expect(task).toMatch(/gov:result="=?\s*\{taxCleared: response.cleared\}"/);
  const { problems } = await parseAndCompile(xml);
  // The task is not wired into the flow (unreachable), but its connector attributes are valid.
  expect(problems.filter((p) => p.elementId === 'askTax' && p.code !== 'flow.unreachable')).toEqual([]);
  expect(pageErrors).toEqual([]);
}, 90_000);
