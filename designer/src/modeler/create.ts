/**
 * The bpmn-js Modeler of the designer: the engine's gov moddle descriptor, the properties panel
 * with our gov provider, bpmnlint with our rules, and the zh-CN/en translate service.
 */
import { layoutProcess } from 'bpmn-auto-layout';
import lintModule from 'bpmn-js-bpmnlint';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';
import Modeler from 'bpmn-js/lib/Modeler.js';
import govDescriptor from '../../../engine/src/model/gov-moddle.json';
import { bundleLintOptions, linterConfig } from '../lint/config.js';
import { fillFlowRefs } from '../lint/flow-refs.js';
import type { GovContext } from './context.js';
import { govPropertiesModule } from './gov-properties.js';
import { translateModule } from './translate.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyModeler = any;

export function createModeler(container: HTMLElement, panel: HTMLElement, gov: GovContext): AnyModeler {
  const modeler = new Modeler({
    container,
    propertiesPanel: { parent: panel },
    linting: { bpmnlint: linterConfig(bundleLintOptions(gov.bundle, gov.lang)), active: true },
    additionalModules: [
      BpmnPropertiesPanelModule,
      BpmnPropertiesProviderModule,
      govPropertiesModule,
      lintModule,
      translateModule(gov.lang),
      { govContext: ['value', gov] },
    ],
    moddleExtensions: { gov: govDescriptor },
  });
  return modeler;
}

/** Whether the XML carries diagram interchange (shapes and edges); files written by hand often do not. */
export function hasDiagram(xml: string): boolean {
  return /<(\w+:)?BPMNShape\b/.test(xml);
}

export interface ImportResult {
  warnings: string[];
  laidOut: boolean;
  ms: number;
}

/** Imports XML, laying it out first when it has no diagram; fills incoming/outgoing for bpmnlint. */
export async function importXml(modeler: AnyModeler, xml: string): Promise<ImportResult> {
  const start = performance.now();
  let laidOut = false;
  if (!hasDiagram(xml)) {
    // bpmn-auto-layout follows incoming/outgoing, which hand-written files often leave out.
    const moddle = modeler.get('moddle');
    const { rootElement } = await moddle.fromXML(xml);
    fillFlowRefs(rootElement);
    xml = await layoutProcess((await moddle.toXML(rootElement)).xml);
    laidOut = true;
  }
  const { warnings } = await modeler.importXML(xml);
  fillFlowRefs(modeler.getDefinitions());
  fitDiagram(modeler);
  return {
    warnings: warnings.map((w: { message: string }) => w.message),
    laidOut,
    ms: performance.now() - start,
  };
}

/** Fits the diagram into the canvas, leaving room for the palette on the left. */
export function fitDiagram(modeler: AnyModeler): void {
  const canvas = modeler.get('canvas');
  canvas.resized();
  const { inner, outer } = canvas.viewbox();
  if (!inner.width || !outer.width) return;
  const left = 80;
  const pad = 30;
  const scale = Math.min(
    1,
    (outer.width - left - pad) / inner.width,
    (outer.height - 2 * pad) / inner.height,
  );
  canvas.viewbox({
    x: inner.x - left / scale,
    y: inner.y - (outer.height / scale - inner.height) / 2,
    width: outer.width / scale,
    height: outer.height / scale,
  });
}

/** New lint options after the bundle or the language changed; re-lints. */
export function refreshLinting(modeler: AnyModeler, gov: GovContext): void {
  modeler.get('linting').setLinterConfig(linterConfig(bundleLintOptions(gov.bundle, gov.lang)));
  modeler.get('eventBus').fire('propertiesPanel.providersChanged');
}

/** Current lint issues: { elementId: [{ message, category, rule }] }. */
export async function lintIssues(
  modeler: AnyModeler,
): Promise<{ id: string; message: string; category: string; rule: string }[]> {
  const results: Record<string, { id?: string; message: string; category: string }[]> = await modeler
    .get('linting')
    .lint();
  return Object.entries(results).flatMap(([rule, reports]) =>
    reports.map((r) => ({ id: r.id ?? '', message: r.message, category: r.category, rule })),
  );
}
