/**
 * The server's deploy problems on the diagram: each `errors[]` entry whose field is
 * `bpmn:<elementId>` becomes a red badge on that element (title = message); the rest are listed
 * by the app. Badges go when the element changes or on the next deploy.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Modeler = any;

export interface FieldProblem {
  field: string;
  message: { zh: string; en: string } | string;
}

export interface PlacedProblems {
  onDiagram: { elementId: string; message: string }[];
  elsewhere: { field: string; message: string }[];
}

export function problemText(message: FieldProblem['message'], lang: 'zh' | 'en'): string {
  return typeof message === 'string' ? message : message[lang] || message.zh;
}

/** Splits problems into those naming a diagram element (known to the registry) and the rest. */
export function placeProblems(
  problems: FieldProblem[],
  lang: 'zh' | 'en',
  exists: (id: string) => boolean,
): PlacedProblems {
  const placed: PlacedProblems = { onDiagram: [], elsewhere: [] };
  for (const p of problems) {
    const message = problemText(p.message, lang);
    const id = p.field.startsWith('bpmn:') ? p.field.slice(5) : '';
    if (id && exists(id)) placed.onDiagram.push({ elementId: id, message });
    else placed.elsewhere.push({ field: p.field, message });
  }
  return placed;
}

const TYPE = 'gov-server-problem';

export function showServerProblems(modeler: Modeler, problems: PlacedProblems['onDiagram']): void {
  const overlays = modeler.get('overlays');
  const registry = modeler.get('elementRegistry');
  const canvas = modeler.get('canvas');
  overlays.remove({ type: TYPE });
  for (const id of new Set(problems.map((p) => p.elementId))) {
    const element = registry.get(id);
    if (!element) continue;
    const messages = problems.filter((p) => p.elementId === id).map((p) => p.message);
    const badge = document.createElement('div');
    badge.className = 'gov-server-problem';
    badge.title = messages.join('\n');
    badge.dataset.elementId = id;
    badge.textContent = `⚠ ${messages.length}`;
    const waypoints = element.waypoints as { x: number; y: number }[] | undefined;
    const position = waypoints ? { top: 0, left: 0 } : { top: -12, right: 12 };
    overlays.add(element, TYPE, { position, html: badge });
    if (!waypoints) canvas.addMarker(element, 'gov-has-server-problem');
  }
  const clear = (event: { elements: { id: string }[] }) => {
    for (const e of event.elements) {
      overlays.remove({ element: e.id, type: TYPE });
      const element = registry.get(e.id);
      if (element && canvas.hasMarker(element, 'gov-has-server-problem'))
        canvas.removeMarker(element, 'gov-has-server-problem');
    }
  };
  modeler.get('eventBus').off('elements.changed', clearHandlers.get(modeler));
  clearHandlers.set(modeler, clear);
  modeler.get('eventBus').on('elements.changed', clear);
}

const clearHandlers = new WeakMap<object, unknown>();

export function clearServerProblems(modeler: Modeler): void {
  modeler.get('overlays').remove({ type: TYPE });
  const canvas = modeler.get('canvas');
  for (const element of modeler.get('elementRegistry').getAll()) {
    if (canvas.hasMarker(element, 'gov-has-server-problem'))
      canvas.removeMarker(element, 'gov-has-server-problem');
  }
}
