/**
 * Pictures of the example processes for their READMEs: each process.bpmn is drawn by bpmn-js
 * (the designer's own renderer) in a headless Chromium and saved as diagram.svg, plus a
 * diagram.png of the same drawing. Nothing is fetched: bpmn-js comes from node_modules and every
 * network request of the page is refused.
 *
 *   npx tsx examples/render.ts                       # every examples/<code>/process.bpmn
 *   npx tsx examples/render.ts path/to/process.bpmn  # just these
 *
 * Needs Debian's chromium (`apt-get install -y chromium`; CHROMIUM overrides the path) and, for
 * Chinese labels in the PNG, a CJK font such as fonts-wqy-microhei. The SVG uses the reader's fonts.
 */
import { chromium, type Browser } from 'playwright-core';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exampleProcesses } from './layout.js';

const require = createRequire(import.meta.url);
const bpmnJsDist = join(dirname(require.resolve('bpmn-js/package.json')), 'dist');

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

export async function launch(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(`${executablePath} is missing: apt-get update && apt-get install -y chromium`);
  }
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS });
}

interface Drawing {
  svg: string;
  png: Buffer;
}

/** Draws one BPMN model: the SVG as bpmn-js saves it and a PNG screenshot of that SVG. */
export async function draw(browser: Browser, xml: string, scale = 1.5): Promise<Drawing> {
  const context = await browser.newContext({
    deviceScaleFactor: scale,
    viewport: { width: 1600, height: 1000 },
  });
  try {
    await context.route('**/*', (route) => route.abort());
    const page = await context.newPage();
    await page.setContent(
      '<!doctype html><html><body style="margin:0;background:#fff"><div id="canvas" style="width:1600px;height:1000px"></div></body></html>',
    );
    await page.addStyleTag({ path: join(bpmnJsDist, 'assets', 'diagram-js.css') });
    await page.addStyleTag({ path: join(bpmnJsDist, 'assets', 'bpmn-js.css') });
    await page.addScriptTag({ path: join(bpmnJsDist, 'bpmn-navigated-viewer.production.min.js') });
    const result = await page.evaluate(async (model: string) => {
      const BpmnJS = (window as unknown as { BpmnJS: new (o: { container: string }) => BpmnViewer }).BpmnJS;
      const viewer = new BpmnJS({ container: '#canvas' });
      const { warnings } = await viewer.importXML(model);
      const { svg } = await viewer.saveSVG();
      return { svg, warnings: warnings.map((w) => String(w.message ?? w)) };
    }, xml);
    if (result.warnings.length)
      throw new Error(`bpmn-js could not import the model cleanly: ${result.warnings.join('; ')}`);

    // The PNG is a screenshot of the saved SVG itself, so both pictures match.
    await page.setContent(
      `<!doctype html><html><body style="margin:0;background:#fff">${result.svg}</body></html>`,
    );
    const box = await page.locator('svg').first().boundingBox();
    if (!box) throw new Error('the saved SVG has no size');
    await page.setViewportSize({ width: Math.ceil(box.width), height: Math.ceil(box.height) });
    const png = await page.locator('svg').first().screenshot({ omitBackground: false });
    return { svg: result.svg.endsWith('\n') ? result.svg : `${result.svg}\n`, png };
  } finally {
    await context.close();
  }
}

interface BpmnViewer {
  importXML(xml: string): Promise<{ warnings: { message?: string }[] }>;
  saveSVG(): Promise<{ svg: string }>;
}

async function main(files: string[]): Promise<void> {
  const browser = await launch();
  try {
    for (const file of files.length ? files : exampleProcesses()) {
      const { svg, png } = await draw(browser, readFileSync(file, 'utf8'));
      const folder = dirname(file);
      writeFileSync(join(folder, 'diagram.svg'), svg);
      writeFileSync(join(folder, 'diagram.png'), png);
      console.log(
        `drawn  ${relative(process.cwd(), join(folder, 'diagram.svg'))}, diagram.png (${Math.round(png.length / 1024)} KB)`,
      );
    }
  } finally {
    await browser.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
