/**
 * `npm start` deploys every examples/<code>/ through the centre: each bundle.json and its
 * process.bpmn must deploy together, carry a diagram, and every item must have a task.
 */
import { readFileSync } from 'node:fs';
import { parseAndCompile } from '../../engine/src/model/index.js';
import { Centre } from '../../engine/src/applications/centre.js';
import { workingTimeLimits } from '../../engine/src/applications/working-time.js';
import { MemoryDocStore } from '../../engine/src/domain/docs.js';
import { createEngine } from '../../engine/src/index.js';
import { analyst, CODES, example } from './support.js';

describe('example bundles deploy', () => {
  it.each(CODES)('%s deploys through Centre.deployBundle as version 1', async (code) => {
    const centre = new Centre({
      engine: createEngine(),
      docs: new MemoryDocStore(),
      timeLimits: workingTimeLimits(),
    });
    const summary = await centre.deployBundle(analyst, example(code));
    expect(summary).toMatchObject({ code, version: 1, status: 'active' });
  });

  it.each(CODES)(
    '%s: the process has no problems, a diagram for every element, and a task for every item',
    async (code) => {
      const { bundle, xml } = example(code);
      const { plans, problems } = await parseAndCompile(xml, {
        deploymentId: 'check',
        versionOf: () => 1,
        isKnownProcess: () => true,
      });
      expect(problems).toEqual([]);
      const items = new Set(plans[0]!.nodes.filter((n) => n.kind === 'userTask').map((n) => n.gov?.item));
      expect(bundle.items.map((i) => i.code).filter((c) => !items.has(c))).toEqual([]);
      const ids = [...xml.matchAll(/<bpmn:(?:\w+) id="([^"]+)"/g)]
        .map((m) => m[1]!)
        .filter((id) => id !== code);
      const drawn = new Set([...xml.matchAll(/bpmnElement="([^"]+)"/g)].map((m) => m[1]));
      expect(ids.length).toBeGreaterThan(10);
      expect(ids.filter((id) => !drawn.has(id))).toEqual([]);
      expect(readFileSync(new URL(`../../examples/${code}/diagram.svg`, import.meta.url), 'utf8')).toContain(
        '<svg',
      );
    },
  );
});
