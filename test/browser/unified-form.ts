/**
 * The clerk's unified form in the browser, driven as a clerk would: the applicant and situation
 * questions, then each form value typed, chosen, ticked or added as rows. Shared by the web tests.
 */
import type { Page } from 'playwright-core';

/** The input of a form field: top-level ones by id, fields of an object group inside the group. */
export function control(path: string): string {
  const parts = path.split('.');
  if (parts.length === 1) return `[id="#/properties/${path}-input"]`;
  const leaf = parts.pop()!;
  return `[data-path="${parts.join('.')}"] .root_properties_${leaf} :is(input, select)`;
}

/** Fills one unified-form value the way a clerk would: typing, choosing, ticking, adding rows. */
export async function fill(page: Page, path: string, value: unknown): Promise<void> {
  if (Array.isArray(value)) {
    const id = path.replace(/\./g, '_');
    const box = page.locator(`.root_properties_${id}`);
    if ((await box.count()) === 0) {
      // A multiple choice of codes: our checkbox renderer.
      for (const v of value as string[])
        await page
          .locator(`[id="#/properties/${path}"] input[type=checkbox]`)
          .nth(await optionIndex(page, path, v))
          .check();
      return;
    }
    for (let row = 0; row < value.length; row++) {
      await box.locator('header button').click();
      const cells = box.locator(`tbody tr`).nth(row).locator('td');
      const entry = value[row];
      if (entry && typeof entry === 'object') {
        const headers = await box.locator('thead th').allTextContents();
        const props = Object.keys((await schemaItems(page, path)) ?? {});
        for (const [key, v] of Object.entries(entry as Record<string, unknown>)) {
          const col = props.indexOf(key);
          if (col < 0) throw new Error(`no column ${key} in ${path} (${headers.join(',')})`);
          await fillCell(cells.nth(col), v);
        }
      } else await fillCell(cells.nth(0), entry);
    }
    return;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>))
      await fill(page, `${path}.${k}`, v);
    return;
  }
  const input = page.locator(control(path));
  if (typeof value === 'boolean') {
    await page
      .locator(`[id="#/properties/${path}"] input[type=radio]`)
      .nth(value ? 0 : 1)
      .check();
  } else if ((await input.evaluate((el) => el.tagName)) === 'SELECT') await input.selectOption(String(value));
  else await input.fill(String(value));
}

async function fillCell(cell: ReturnType<Page['locator']>, value: unknown) {
  const select = cell.locator('select');
  if (await select.count()) await select.selectOption(String(value));
  else await cell.locator('input').fill(String(value));
}

/** The bundle each page works on: the one it picked last (business-startup before). */
const bundleOn = new WeakMap<Page, string>();

export async function pickBundle(page: Page, code: string): Promise<void> {
  await page.click(`[data-bundle=${code}]`);
  bundleOn.set(page, code);
  await page.locator('[data-testid=situation-form]').waitFor();
}

interface FormSchema {
  properties: Record<
    string,
    {
      items?: { properties?: Record<string, unknown>; enum?: string[] };
      properties?: Record<string, { items: { enum: string[] } }>;
    }
  >;
}
/** The page's bundle's unified form JSON Schema, as the page gets it (cached per page and bundle). */
const schemas = new WeakMap<Page, Map<string, Promise<FormSchema>>>();
function formSchema(page: Page): Promise<FormSchema> {
  const code = bundleOn.get(page) ?? 'business-startup';
  const mine = schemas.get(page) ?? new Map<string, Promise<FormSchema>>();
  schemas.set(page, mine);
  let hit = mine.get(code);
  if (!hit) {
    hit = page.evaluate(async (bundle) => {
      const session = JSON.parse(sessionStorage.getItem('onething.session')!);
      const res = await fetch(`/api/bundles/${bundle}/form`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token}` },
        body: JSON.stringify({ answers: {} }),
      });
      return (await res.json()).schema as FormSchema;
    }, code);
    mine.set(code, hit);
  }
  return hit;
}

/** The applicant at the window and the situation questions (JSON Forms over the situation part). */
export async function answerSituation(
  page: Page,
  applicant: { name: string; idNumber: string; phone: string; account?: string },
  situation: Record<string, unknown>,
): Promise<void> {
  await page.fill('input[name="applicant.name"]', applicant.name);
  await page.fill('input[name="applicant.idNumber"]', applicant.idNumber);
  await page.fill('input[name="applicant.phone"]', applicant.phone);
  if (applicant.account) await page.fill('input[name="applicant.userId"]', applicant.account);
  for (const [q, v] of Object.entries(situation)) {
    const id = `#/properties/${q}`;
    if (typeof v === 'boolean')
      await page
        .locator(`[id="${id}"] input[type=radio]`)
        .nth(v ? 0 : 1)
        .check();
    else if (Array.isArray(v))
      for (const x of v)
        await page
          .locator(`[id="${id}"] input[type=checkbox]`)
          .nth(await optionIndex(page, `situation.${q}`, x))
          .check();
    else if (typeof v === 'number') await page.fill(`[id="${id}-input"]`, String(v));
    else await page.selectOption(`[id="${id}-input"]`, String(v));
  }
}

async function schemaItems(page: Page, path: string): Promise<Record<string, unknown> | undefined> {
  return (await formSchema(page)).properties[path]?.items?.properties;
}

/** Position of a code among the checkboxes of a multiple-choice field or situation question. */
export async function optionIndex(page: Page, path: string, value: string): Promise<number> {
  const schema = await formSchema(page);
  const values = path.startsWith('situation.')
    ? schema.properties.situation!.properties![path.slice(10)]!.items.enum
    : schema.properties[path]!.items!.enum!;
  return values.indexOf(value);
}
