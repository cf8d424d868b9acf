/**
 * The designer on the real server (`engine/src/server.ts` in a child process, fresh data
 * directory): an analyst signs in, starts from the template, adds a user task, sets its
 * department, item and time limit in the properties panel while the checker flags and then clears
 * it, previews the unified form, deploys; then a clerk starts an application of the new bundle
 * through the API. Chromium via playwright-core; builds the designer when designer/dist is missing.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const artifacts = fileURLToPath(new URL('./artifacts/', import.meta.url));

let server: ChildProcess;
let url: string;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

function startServer(): Promise<string> {
  server = spawn(process.execPath, ['--import', 'tsx', 'engine/src/server.ts'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      ONETHING_DATA_DIR: mkdtempSync(join(tmpdir(), 'designer-e2e-')),
      LOG_LEVEL: 'warn',
      NODE_OPTIONS: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server printed no URL:\n${out}`)), 90_000);
    const onData = (d: Buffer) => {
      out += d;
      const m = /OneThing 一件事一次办 — (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!.replace('localhost', '127.0.0.1'));
      }
    };
    server.stdout!.on('data', onData);
    server.stderr!.on('data', onData);
    server.once('exit', (code) => reject(new Error(`server exited ${code}:\n${out}`)));
  });
}

async function api(method: string, path: string, body?: unknown, token?: string) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: await response.json() };
}

const waitForErrors = (test: 'zero' | 'some') =>
  page.waitForFunction((t) => {
    const n = Number(document.querySelector('[data-testid=lint-summary]')?.getAttribute('data-errors'));
    return t === 'zero' ? n === 0 : n > 0;
  }, test);

beforeAll(async () => {
  if (!existsSync(join(root, 'designer/dist/index.html')))
    execFileSync(process.execPath, ['bin/build-apps.js', 'designer'], { cwd: root, stdio: 'inherit' });
  mkdirSync(artifacts, { recursive: true });
  url = await startServer();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
  page.on('dialog', (d) => void d.accept());
}, 240_000);

afterAll(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
});

test('an analyst builds a bundle from the template and deploys it; a clerk can start an application', async () => {
  await page.goto(`${url}/designer/`);
  await page.locator('.djs-element[data-element-id="registration"]').waitFor();
  await page.click('[data-testid=sign-in]');
  await page.fill('[data-testid=login] input[name=password]', 'analyst1pass');
  await page.click('[data-testid=login] button[type=submit]');
  // The server's bundles are listed (the examples are seeded on first start).
  await page.waitForFunction(() =>
    Array.from(document.querySelectorAll('[data-testid=open-bundle] option')).some(
      (o) => (o as HTMLOptionElement).value === 'business-startup',
    ),
  );

  // A fresh bundle code: the process's gov:bundle follows it.
  await page.click('[data-tab=general]');
  await page.locator('.bundle-editor .form-grid input').first().fill('designer-e2e');

  // Draw: a user task between the merge and the delivery (bpmn-js modeling, as a drop on the flow does).
  await page.evaluate(() => {
    const m = window.designer!.modeler;
    const registry = m.get('elementRegistry');
    const modeling = m.get('modeling');
    const flow = registry.get('toDeliver');
    const deliver = registry.get('deliver');
    const task = modeling.createShape(
      { type: 'bpmn:UserTask' },
      { x: deliver.x + 50, y: deliver.y + 200 },
      m.get('canvas').getRootElement(),
    );
    modeling.updateProperties(task, { id: 'review', name: '联合审查' });
    modeling.reconnectEnd(flow, task, { x: task.x, y: task.y + 40 });
    modeling.connect(task, deliver);
    m.get('selection').select(task);
  });
  // The checker flags the new task: no department.
  await waitForErrors('some');
  await page.locator('[data-testid=issues] .issue.error', { hasText: 'review' }).first().waitFor();

  // The properties panel: department, item, time limit.
  const header = page.locator('[data-group-id="group-gov"] .bio-properties-panel-group-header');
  if (!(await header.getAttribute('class'))!.includes('open')) await header.click();
  await page.selectOption('select[name="gov-department"]', 'tax');
  await page.selectOption('select[name="gov-item"]', 'invoice');
  await page.fill('input[name="gov-timeLimit"]', '1');
  await page.locator('input[name="gov-timeLimit"]').blur();
  await waitForErrors('zero');
  await page.screenshot({ path: `${artifacts}designer-server-panel.png` });

  // Preview of the unified form.
  await page.click('[data-tab=preview]');
  await page.locator('[data-testid=preview-form] input').first().waitFor();
  expect(await page.locator('[data-testid=preview-form]').textContent()).toContain('企业名称');

  // Deploy.
  await page.click('[data-testid=deploy]');
  await page.locator('[data-testid=status]', { hasText: '已部署' }).waitFor();

  // A clerk starts an application of it.
  const clerk = (await api('POST', '/api/auth/token', { username: 'clerk1', password: 'clerk1pass' })).body
    .access_token as string;
  const created = await api(
    'POST',
    '/api/applications',
    {
      bundleCode: 'designer-e2e',
      answers: { needsInvoice: true },
      applicant: { kind: 'person', name: '张三', idNumber: '110101199003074477' },
    },
    clerk,
  );
  expect(created.status).toBe(201);
  expect(created.body.bundleCode).toBe('designer-e2e');
  expect(pageErrors).toEqual([]);
}, 120_000);
