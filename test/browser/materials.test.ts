/**
 * Material files at the clerk's window in Chromium against the real server (SQLite and the file
 * upload store in a temporary directory): the clerk picks a real PDF for one material and sees
 * its SHA-256 prefix, picks an executable named .pdf for another and reads the server's zh
 * refusal next to that material; the acceptance notice shows the 帮办代办 details (masked); after
 * acceptance a department whose item needs the material downloads it from its review page, byte
 * for byte. Screenshots go to test/browser/artifacts/materials/.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { samples } from '../../forms/src/testing/samples.js';
import { callAs, startAppServer, type AppServer } from './app-server.js';
import { launchChromium } from './chromium.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies of the API under test
type Json = any;

const artifacts = fileURLToPath(new URL('./artifacts/materials/', import.meta.url));

/** A minimal valid one-page PDF, its cross-reference table pointing at the real byte offsets. */
function minimalPdf(text: string): Buffer {
  const content = `BT /F1 18 Tf 72 720 Td (${text}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

const pdf = minimalPdf(`OneThing identity proof ${Date.now()}`);
/** A 64-bit ELF header: a Linux executable, here disguised with a .pdf name and type. */
const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(2048)]);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const { situation: answers, ...data } = samples['business-startup']!;
const AGENT_ID = '11010519491231002X';
const AGENT_PHONE = '13912345678';

let server: AppServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];
let caseId = '';

const call = (method: string, path: string, as: string, body?: unknown): Promise<Json> =>
  callAs(server, method, path, as, body);

async function signedIn(username: string, path: string): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1366, height: 900 },
    locale: 'zh-CN',
    acceptDownloads: true,
  });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (m) => {
    // Refusals the page shows (415, 422…) are logged by Chromium as failed loads; they are expected here.
    if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) pageErrors.push(m.text());
  });
  await page.goto(`${server.url}${path}`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', `${username}pass`);
  await page.click('button[type=submit]');
  await page.locator('[data-testid=who]').waitFor();
  return page;
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });

describe('material files at the window and in the department review (Chromium, real server)', () => {
  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    server = await startAppServer('materials');
    browser = await launchChromium();
    const app = await call('POST', '/api/applications', 'clerk1', {
      bundleCode: 'business-startup',
      answers,
      data,
      applicant: {
        kind: 'person',
        name: '张三',
        idNumber: '440402199003071232',
        phone: '13800138000',
        userId: 'applicant1',
      },
      // 代办 by a relative, authorised by the applicant's e-signature.
      assisted: {
        mode: 'proxy',
        agent: {
          name: '李四',
          idType: 'resident-id',
          idNumber: AGENT_ID,
          phone: AGENT_PHONE,
          relationship: 'relative',
        },
        powerOfAttorney: { eSigned: true },
        reason: '申请人在外地',
      },
    });
    caseId = app.id;
    await call('POST', `/api/applications/${caseId}/submit`, 'clerk1');
  }, 240_000);

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await server?.stop();
  });

  test('the clerk uploads a PDF (SHA-256 prefix shown), an ELF named .pdf is refused next to its material; a department downloads the PDF byte for byte; the acceptance notice shows the agent masked', async () => {
    const clerk = await signedIn('clerk1', `/clerk/applications/${encodeURIComponent(caseId)}`);
    const row = (material: string) => clerk.locator(`[data-testid=materials] tr[data-material=${material}]`);
    await row('identityProof').waitFor({ timeout: 20_000 });

    // The picker is a labelled, focusable input.
    const picker = row('identityProof').locator('input[type=file]');
    const label = await picker.evaluate((el) => (el as HTMLInputElement).labels?.[0]?.textContent ?? '');
    expect(label).toBe('上传“身份证明”的文件');
    await picker.focus();
    expect(await picker.evaluate((el) => el === document.activeElement)).toBe(true);

    await picker.setInputFiles({ name: '身份证明.pdf', mimeType: 'application/pdf', buffer: pdf });
    const sha = row('identityProof').locator('[data-testid=file-sha]');
    await sha.waitFor({ timeout: 20_000 });
    expect(await sha.textContent()).toBe(sha256(pdf).slice(0, 8));
    const facts = (await row('identityProof').locator('[data-testid=stored-file]').textContent()) ?? '';
    expect(facts).toContain('身份证明.pdf');
    expect(facts).toContain(`${pdf.length} B`);

    await row('premisesProof')
      .locator('input[type=file]')
      .setInputFiles({ name: '住所证明.pdf', mimeType: 'application/pdf', buffer: elf });
    const refusal = row('premisesProof').locator('.field-error');
    await refusal.waitFor({ timeout: 20_000 });
    const refusalText = (await refusal.textContent()) ?? '';
    expect(refusalText).toContain('材料“住所使用证明”（premisesProof）');
    expect(await row('premisesProof').locator('[data-testid=stored-file]').count()).toBe(0);
    // The refusal stays with its material: the stored identity proof has no error.
    expect(await row('identityProof').locator('.field-error').count()).toBe(0);
    await shot(clerk, '01-window-files');

    // The server recorded exactly the PDF, and nothing for the refused material.
    const stored: Json = await call('GET', `/api/applications/${caseId}`, 'clerk1');
    const identity = stored.materials.find((m: Json) => m.id === 'identityProof');
    expect(identity.file).toMatchObject({ sha256: sha256(pdf), size: pdf.length, name: '身份证明.pdf' });
    expect(stored.materials.find((m: Json) => m.id === 'premisesProof').file).toBeUndefined();

    // The clerk's own view/download button gives back the same bytes.
    const [own] = await Promise.all([
      clerk.waitForEvent('download'),
      row('identityProof').locator('[data-testid=open-file-identityProof]').click(),
    ]);
    expect(own.suggestedFilename()).toBe('身份证明.pdf');
    expect(readFileSync((await own.path())!).equals(pdf)).toBe(true);

    const accepted: Json = await call('POST', `/api/applications/${caseId}/accept`, 'clerk1', {
      materials: [
        { id: 'identityProof', status: 'provided' },
        { id: 'premisesProof', status: 'provided' },
      ],
    });
    expect(accepted.status).toBe('in-progress');

    // 受理通知书 with the assisted service: the agent's ID number and phone masked, the authorisation named.
    await clerk.goto(`${server.url}/print/acceptance/${encodeURIComponent(caseId)}`);
    const agent = clerk.locator('[data-testid=assisted-agent]');
    await agent.waitFor({ timeout: 20_000 });
    const agentText = (await agent.textContent()) ?? '';
    expect(agentText).toContain('李四');
    expect(agentText).not.toContain(AGENT_ID);
    expect(agentText).not.toContain(AGENT_PHONE);
    expect(agentText).toContain(accepted.assisted.agent.idNumber);
    expect(await clerk.locator('[data-testid=assisted-authorisation]').textContent()).toContain(
      '申请人电子签名授权',
    );
    await shot(clerk, '02-acceptance-notice-assisted');

    // A department whose item needs the identity proof opens it from its review page.
    const item = accepted.items.find((i: Json) => identity.items.includes(i.item));
    expect(item).toBeDefined();
    const department = await signedIn(
      `${item.department}1`,
      `/inbox/${encodeURIComponent(`${caseId}:${item.item}`)}`,
    );
    const entry = department.locator('.material-status li[data-material=identityProof]');
    await entry.locator('[data-testid=file-sha]').waitFor({ timeout: 20_000 });
    expect(await entry.locator('[data-testid=file-sha]').textContent()).toBe(sha256(pdf).slice(0, 8));
    const [download] = await Promise.all([
      department.waitForEvent('download'),
      entry.locator('[data-testid=open-file-identityProof]').click(),
    ]);
    const bytes = readFileSync((await download.path())!);
    expect(bytes.equals(pdf)).toBe(true);
    // And the API gives that department the same bytes.
    const viaApi = (await call(
      'GET',
      `/api/applications/${caseId}/materials/identityProof/file`,
      `${item.department}1`,
    )) as Buffer;
    expect(viaApi.equals(pdf)).toBe(true);
    await shot(department, '03-department-review-file');

    expect(pageErrors).toEqual([]);
  }, 180_000);
});
