/**
 * The designer in Debian's Chromium (playwright-core, as the browser tests): time to open a
 * 500-element model — bpmn-js import and the first frame painted after it — with the model
 * generator of test/browser/large-model.ts (250 user tasks in a chain: 252 shapes, 251 flows and
 * their labels). The designer is served from its built dist (built first when missing) by the
 * browser tests' stand-in server; each round opens a fresh page, so its first open is cold.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../test/browser/chromium.js';
import { startDesignerFixture, type Fixture } from '../../test/browser/designer-fixture.js';
import { chainModel } from '../../test/browser/large-model.js';
import type { CaseDef } from '../lib/harness.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const MIN_ELEMENTS = 500;

interface DesignerWindow {
  designer?: {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- bpmn-js modeler
    modeler: any;
    openXml: (xml: string) => Promise<number>;
  };
}

export function designerCases(): CaseDef[] {
  let fixture: Fixture | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  const xml = chainModel(250);
  return [
    {
      id: 'designer-open',
      title: 'Designer: open a 500-element model in Chromium',
      kind: 'latency',
      unit: 'ms',
      target: '< 1,500 ms',
      rounds: 5,
      notes:
        'test/browser/large-model.ts chainModel(250); each sample is window.designer.openXml (bpmn-js importXML, ' +
        'the designer’s checks) until the next animation frame has run, measured in the page; a fresh page per round.',
      setup: async () => {
        if (!existsSync(`${root}designer/dist/index.html`)) {
          const built = spawnSync(process.execPath, ['bin/build-apps.js', 'designer'], {
            cwd: root,
            stdio: 'inherit',
          });
          if (built.status !== 0) throw new Error('building the designer failed');
        }
        fixture = await startDesignerFixture();
        browser = await launchChromium();
      },
      teardown: async () => {
        await browser?.close();
        await fixture?.close();
      },
      ours: {
        label: 'designer (designer/dist) in headless Chromium, 1600×900',
        count: 4,
        warmup: 2,
        async prepare() {
          await page?.close();
          page = await browser!.newPage({ viewport: { width: 1600, height: 900 } });
          await page.goto(`${fixture!.url}/designer/`);
          await page.waitForFunction(() => (window as DesignerWindow).designer !== undefined);
          await page.locator('.djs-palette').waitFor();
        },
        async run(count) {
          const samples: number[] = [];
          for (let i = 0; i < count; i++) {
            const { ms, elements } = await page!.evaluate(async (model) => {
              const designer = (window as DesignerWindow).designer!;
              const started = performance.now();
              await designer.openXml(model);
              await new Promise((painted) => requestAnimationFrame(() => setTimeout(painted, 0)));
              const ms = performance.now() - started;
              return { ms, elements: designer.modeler.get('elementRegistry').getAll().length as number };
            }, xml);
            if (elements < MIN_ELEMENTS)
              throw new Error(`the designer shows ${elements} elements, expected ${MIN_ELEMENTS} or more`);
            samples.push(ms);
          }
          return { ops: count, samples };
        },
      },
    },
  ];
}
