/**
 * Setting up a browser test on the real server: a page that records its errors, and a case of an
 * example bundle accepted at the window over the API (sample data, required materials provided).
 */
import type { Browser, Page } from 'playwright-core';
import { samples } from '../../forms/src/testing/samples.js';
import { callAs, type AppServer } from './app-server.js';

/** A new page in its own context (zh-CN, 1366×900) whose page errors and console errors go to `errors`. */
export async function watchedPage(browser: Browser, errors: string[]): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  return page;
}

/** A case of `bundle` for 张三, created, submitted and accepted by clerk1; its id. */
export async function acceptedAtWindow(server: AppServer, bundle: string): Promise<string> {
  const { situation: answers, ...data } = samples[bundle]!;
  const applicant = { kind: 'person', name: '张三', idNumber: '440402199003071232', phone: '13800138000' };
  const { id } = await callAs(server, 'POST', '/api/applications', 'clerk1', {
    bundleCode: bundle,
    answers,
    data,
    applicant,
  });
  const submitted = await callAs(server, 'POST', `/api/applications/${id}/submit`, 'clerk1');
  const materials = (submitted.materials as { id: string; status: string; required: boolean }[])
    .filter((m) => m.status === 'missing' && m.required)
    .map((m) => ({ id: m.id, status: 'provided' }));
  await callAs(server, 'POST', `/api/applications/${id}/accept`, 'clerk1', { materials });
  return id;
}
