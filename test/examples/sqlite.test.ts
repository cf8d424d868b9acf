/** One example bundle on the embedded store `npm start` uses: a real SQLite file in a temp dir. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDocStore } from '../../engine/src/domain/open-docs.js';
import { openStore } from '../../engine/src/store/index.js';
import { clerk, Desk, sample } from './support.js';

describe('restaurant on a SQLite file', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'onething-examples-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the on-site inspection branch to delivery; the case reads back after reopening the file', async () => {
    const env = { ONETHING_DB: join(dir, 'onething.db') };
    let store = await openStore(env);
    let docs = await openDocStore(store);
    const desk = await Desk.open({ codes: ['restaurant'], store, docs });
    const { answers, data } = sample('restaurant');
    const app = await desk.accepted(
      'restaurant',
      { ...answers, foodCategories: ['rawFood'] },
      { ...data, foodCategories: ['rawFood'] },
    );
    expect((await desk.decideAll(app.id)).status).toBe('results-ready');
    expect(await desk.path(app)).toContain('foodInspection');
    await desk.centre.deliver(clerk, app.id, { channel: 'window' });
    await store.close();
    (docs as { close?: () => unknown }).close?.();

    store = await openStore(env);
    docs = await openDocStore(store);
    const reopened = await Desk.open({ codes: [], store, docs });
    const read = await reopened.get(app.id);
    expect(read.status).toBe('delivered');
    expect(await reopened.instanceStatus(read)).toBe('completed');
    expect((await reopened.centre.listBundles(clerk)).map((b) => b.code)).toEqual(['restaurant']);
    await store.close();
    (docs as { close?: () => unknown }).close?.();
  });
});
