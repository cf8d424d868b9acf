/**
 * Diagram layout for the example processes: adds BPMN DI (shapes, edges, label bounds) so every
 * process.bpmn opens cleanly in the designer. The semantic model is kept as written; only the
 * flow nodes' incoming/outgoing references are filled in (the layout walks them) and any old
 * diagram is replaced.
 *
 *   npx tsx examples/layout.ts                       # every examples/<code>/process.bpmn
 *   npx tsx examples/layout.ts path/to/process.bpmn  # just these
 */
import { layoutProcess } from 'bpmn-auto-layout';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createModdle, type ModdleElement } from '../engine/src/model/parse.js';

const here = dirname(fileURLToPath(import.meta.url));

/** The example processes, one per bundle folder. */
export function exampleProcesses(): string[] {
  return readdirSync(here, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => join(here, d.name, 'process.bpmn'))
    .filter((file) => existsSync(file))
    .sort();
}

/** Recomputes incoming/outgoing of every flow node from the sequence flows, nested scopes too. */
function linkFlows(scope: ModdleElement): void {
  const elements: ModdleElement[] = scope.flowElements ?? [];
  for (const el of elements) {
    if (el.$type === 'bpmn:SequenceFlow') continue;
    el.get('incoming').length = 0;
    el.get('outgoing').length = 0;
  }
  for (const flow of elements) {
    if (flow.$type !== 'bpmn:SequenceFlow') continue;
    flow.sourceRef.get('outgoing').push(flow);
    flow.targetRef.get('incoming').push(flow);
  }
  for (const el of elements) if (el.flowElements) linkFlows(el);
}

/** BPMN XML in, the same model with a fresh left-to-right diagram out. */
export async function layout(xml: string): Promise<string> {
  const moddle = createModdle();
  const { rootElement: definitions, warnings } = await moddle.fromXML(xml, 'bpmn:Definitions');
  if (warnings.length) throw new Error(`cannot read the model: ${warnings.map((w) => w.message).join('; ')}`);
  definitions.diagrams = [];
  for (const root of definitions.rootElements ?? []) if (root.$type === 'bpmn:Process') linkFlows(root);
  const { xml: semantic } = await moddle.toXML(definitions, { format: true });
  const gridded = await moddle.fromXML(await layoutProcess(semantic), 'bpmn:Definitions');
  for (const root of gridded.rootElement.rootElements ?? [])
    if (root.$type === 'bpmn:Process') tidy(moddle, gridded.rootElement, root);
  const { xml: laidOut } = await moddle.toXML(gridded.rootElement, { format: true });
  return `${laidOut}\n`;
}

// ── tidy: bpmn-auto-layout decides the grid (row and column of every node); this step draws it
// roomier, with task boxes that fit bilingual names, orthogonal edges that avoid other shapes and
// labels placed where no line runs. ─────────────────────────────────────────────────────────────

const CELL = { width: 150, height: 140 }; // bpmn-auto-layout's grid
const PITCH = { x: 220, y: 150 }; // ours
const SIZE = {
  task: { width: 150, height: 90 },
  gateway: { width: 50, height: 50 },
  event: { width: 36, height: 36 },
};
const LABEL_WIDTH = 100;
const LANE_GAP = 14;

interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}
interface Point {
  x: number;
  y: number;
}
type Kind = keyof typeof SIZE;
type Side = 'left' | 'right' | 'top' | 'bottom';

interface Node {
  el: ModdleElement;
  kind: Kind;
  row: number;
  col: number;
  bounds: Rect;
  label?: Rect;
}

interface Edge {
  flow: ModdleElement;
  source: Node;
  target: Node;
  points: Point[];
  label?: Rect;
}

const kindOf = (type: string): Kind =>
  /Gateway$/.test(type) ? 'gateway' : /Event$/.test(type) ? 'event' : 'task';
const centre = (r: Rect): Point => ({ x: r.x + r.width / 2, y: r.y + r.height / 2 });

function dock(node: Node, side: Side): Point {
  const b = node.bounds;
  const c = centre(b);
  switch (side) {
    case 'left':
      return { x: b.x, y: c.y };
    case 'right':
      return { x: b.x + b.width, y: c.y };
    case 'top':
      return { x: c.x, y: b.y };
    case 'bottom':
      return { x: c.x, y: b.y + b.height };
  }
}

/** Rough size of an external label: CJK characters ~12 px, Latin ~6.5 px, 14 px lines. */
export function labelSize(text: string, width = LABEL_WIDTH): { width: number; height: number } {
  let lines = 0;
  for (const part of text.split(/(?<=[\u3000-\u9fff\uff00-\uffef])\s+(?=[A-Za-z])/)) {
    let line = 0;
    lines++;
    for (const word of part.split(/(\s+)/)) {
      for (const ch of /[\u3000-\u9fff\uff00-\uffef]/.test(word) ? [...word] : [word]) {
        const w = /[\u3000-\u9fff\uff00-\uffef]/.test(ch) ? 12 : ch.length * 6.5;
        if (line + w > width - 4 && line > 0) {
          lines++;
          line = 0;
          if (/^\s+$/.test(ch)) continue;
        }
        line += w;
      }
    }
  }
  return { width, height: lines * 14 };
}

const inflate = (r: Rect, by: number): Rect => ({
  x: r.x - by,
  y: r.y - by,
  width: r.width + 2 * by,
  height: r.height + 2 * by,
});

function segmentHits(a: Point, b: Point, r: Rect): boolean {
  const minX = Math.min(a.x, b.x);
  const maxX = Math.max(a.x, b.x);
  const minY = Math.min(a.y, b.y);
  const maxY = Math.max(a.y, b.y);
  return maxX > r.x && minX < r.x + r.width && maxY > r.y && minY < r.y + r.height;
}

const rectsOverlap = (a: Rect, b: Rect) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** Two axis-parallel segments lying on one line and sharing more than a point. */
function collinearOverlap(a1: Point, a2: Point, b1: Point, b2: Point): boolean {
  if (a1.y === a2.y && b1.y === b2.y && Math.abs(a1.y - b1.y) < 3) {
    return (
      Math.min(Math.max(a1.x, a2.x), Math.max(b1.x, b2.x)) -
        Math.max(Math.min(a1.x, a2.x), Math.min(b1.x, b2.x)) >
      2
    );
  }
  if (a1.x === a2.x && b1.x === b2.x && Math.abs(a1.x - b1.x) < 3) {
    return (
      Math.min(Math.max(a1.y, a2.y), Math.max(b1.y, b2.y)) -
        Math.max(Math.min(a1.y, a2.y), Math.min(b1.y, b2.y)) >
      2
    );
  }
  return false;
}

/** A horizontal and a vertical segment crossing in their interiors. */
function crosses(a1: Point, a2: Point, b1: Point, b2: Point): boolean {
  const [h1, h2, v1, v2] = a1.y === a2.y ? [a1, a2, b1, b2] : [b1, b2, a1, a2];
  if (h1.y !== h2.y || v1.x !== v2.x) return false;
  const inside = (v: number, p: number, q: number) => v > Math.min(p, q) + 1 && v < Math.max(p, q) - 1;
  return inside(v1.x, h1.x, h2.x) && inside(h1.y, v1.y, v2.y);
}

function simplify(points: Point[]): Point[] {
  const out: Point[] = [];
  for (const p of points.map((q) => ({ x: Math.round(q.x), y: Math.round(q.y) }))) {
    const last = out[out.length - 1];
    if (last && last.x === p.x && last.y === p.y) continue;
    const before = out[out.length - 2];
    if (
      before &&
      last &&
      ((before.x === last.x && last.x === p.x) || (before.y === last.y && last.y === p.y))
    )
      out.pop();
    out.push(p);
  }
  return out;
}

function length(points: Point[]): number {
  let sum = 0;
  for (let i = 1; i < points.length; i++)
    sum += Math.abs(points[i]!.x - points[i - 1]!.x) + Math.abs(points[i]!.y - points[i - 1]!.y);
  return sum;
}

/** Orthogonal routes worth trying for one edge, simplest first. */
function candidates(s: Node, t: Node, lanes: number[]): Point[][] {
  const out: Point[][] = [];
  const S = centre(s.bounds);
  const T = centre(t.bounds);
  const down = T.y > S.y + 1;
  const up = T.y < S.y - 1;
  const sVert: Side = down ? 'bottom' : 'top';
  const tVert: Side = down ? 'top' : 'bottom';
  const afterS = s.bounds.x + s.bounds.width + (PITCH.x - s.bounds.width) / 2 - (s.kind === 'task' ? 0 : 0);
  const gapAfterS = Math.min(afterS, s.bounds.x + s.bounds.width + 20);
  const gapBeforeT = t.bounds.x - 20;
  if (!down && !up) out.push([dock(s, 'right'), dock(t, 'left')]);
  if (down || up) {
    if (s.kind !== 'task') out.push([dock(s, sVert), { x: S.x, y: T.y }, dock(t, 'left')]);
    if (t.kind !== 'task') out.push([dock(s, 'right'), { x: T.x, y: S.y }, dock(t, tVert)]);
    for (const x of [gapBeforeT, gapAfterS])
      out.push([dock(s, 'right'), { x, y: S.y }, { x, y: T.y }, dock(t, 'left')]);
  }
  for (const y of lanes) {
    const start =
      s.kind === 'task'
        ? [dock(s, 'right'), { x: gapAfterS, y: S.y }, { x: gapAfterS, y }]
        : [dock(s, y > S.y ? 'bottom' : 'top'), { x: S.x, y }];
    const end =
      t.kind === 'task'
        ? [{ x: gapBeforeT, y }, { x: gapBeforeT, y: T.y }, dock(t, 'left')]
        : [{ x: T.x, y }, dock(t, y > T.y ? 'bottom' : 'top')];
    out.push([...start, ...end]);
  }
  return out.map(simplify);
}

function route(edge: Edge, nodes: Node[], placed: Edge[], lanes: number[]): Point[] {
  let best: { points: Point[]; cost: number } | undefined;
  for (const points of candidates(edge.source, edge.target, lanes)) {
    let cost = (points.length - 2) * 60 + length(points) / 10;
    for (let i = 1; i < points.length; i++) {
      const a = points[i - 1]!;
      const b = points[i]!;
      if (points[i - 1]!.x > points[i]!.x && i === points.length - 1) cost += 1000; // entering from the wrong side
      for (const n of nodes) {
        const own = n === edge.source || n === edge.target;
        if (segmentHits(a, b, own ? inflate(n.bounds, -2) : inflate(n.bounds, 6))) cost += 10_000;
      }
      for (const other of placed) {
        if (other.source === edge.source) continue; // branches of one split may share their first line
        const penalty = other.target === edge.target ? 40 : 5_000; // merging into a join's last line is fine, a stranger's line is not
        for (let j = 1; j < other.points.length; j++) {
          const bundled =
            other.target === edge.target && i === points.length - 1 && j === other.points.length - 1;
          if (collinearOverlap(a, b, other.points[j - 1]!, other.points[j]!)) cost += bundled ? 0 : penalty;
          else if (other.target !== edge.target && crosses(a, b, other.points[j - 1]!, other.points[j]!))
            cost += 80;
        }
      }
    }
    if (!best || cost < best.cost) best = { points, cost };
  }
  return best!.points;
}

function freeSpot(options: Rect[], blockers: Rect[]): Rect {
  return options.find((r) => !blockers.some((b) => rectsOverlap(inflate(r, 2), b))) ?? options[0]!;
}

function segments(edges: Edge[]): Rect[] {
  const out: Rect[] = [];
  for (const e of edges) {
    for (let i = 1; i < e.points.length; i++) {
      const a = e.points[i - 1]!;
      const b = e.points[i]!;
      out.push({
        x: Math.min(a.x, b.x) - 1,
        y: Math.min(a.y, b.y) - 1,
        width: Math.abs(a.x - b.x) + 2,
        height: Math.abs(a.y - b.y) + 2,
      });
    }
  }
  return out;
}

/**
 * Every node right of all its predecessors (the grid sometimes puts a parallel branch at the
 * far left), one node per cell, no empty rows. Nodes are visited in flow order; loops keep their
 * columns.
 */
function tidyGrid(nodes: Node[], edges: Edge[]): void {
  const incoming = new Map(nodes.map((n) => [n, edges.filter((e) => e.target === n && e.source !== n)]));
  const pending = new Map(nodes.map((n) => [n, incoming.get(n)!.length]));
  const queue = nodes.filter((n) => pending.get(n) === 0);
  const occupied = new Set<string>();
  const seen = new Set<Node>();
  while (queue.length) {
    const n = queue.shift()!;
    seen.add(n);
    const after = Math.max(
      -1,
      ...incoming
        .get(n)!
        .filter((e) => seen.has(e.source))
        .map((e) => e.source.col),
    );
    n.col = Math.max(n.col, after + 1);
    while (occupied.has(`${n.row}:${n.col}`)) n.col++;
    occupied.add(`${n.row}:${n.col}`);
    for (const e of edges.filter((x) => x.source === n)) {
      pending.set(e.target, pending.get(e.target)! - 1);
      if (pending.get(e.target) === 0) queue.push(e.target);
    }
  }
  const rows = [...new Set(nodes.map((n) => n.row))].sort((a, b) => a - b);
  for (const n of nodes) n.row = rows.indexOf(n.row); // no empty rows
  for (const n of nodes) {
    const size = SIZE[n.kind];
    const cx = n.col * PITCH.x + PITCH.x / 2;
    const cy = n.row * PITCH.y + PITCH.y / 2;
    n.bounds = { x: cx - size.width / 2, y: cy - size.height / 2, ...size };
  }
}

/** Replaces the diagram of `process` with the tidied one. */
function tidy(
  moddle: ReturnType<typeof createModdle>,
  definitions: ModdleElement,
  process: ModdleElement,
): void {
  const plane = definitions.diagrams.find((d: ModdleElement) => d.plane.bpmnElement === process)?.plane;
  if (!plane) return;
  const byId = new Map<string, Node>();
  for (const di of plane.planeElement ?? []) {
    if (di.$type !== 'bpmndi:BPMNShape') continue;
    const el = di.bpmnElement;
    const c = centre(di.bounds);
    const kind = kindOf(el.$type);
    const size = SIZE[kind];
    const row = Math.floor(c.y / CELL.height);
    const col = Math.floor(c.x / CELL.width);
    const cx = col * PITCH.x + PITCH.x / 2;
    const cy = row * PITCH.y + PITCH.y / 2;
    byId.set(el.id, {
      el,
      kind,
      row,
      col,
      bounds: { x: cx - size.width / 2, y: cy - size.height / 2, ...size },
    });
  }
  const nodes = [...byId.values()];
  const flows: ModdleElement[] = (process.flowElements ?? []).filter(
    (f: ModdleElement) => f.$type === 'bpmn:SequenceFlow',
  );
  const edges: Edge[] = flows.map((flow) => ({
    flow,
    source: byId.get(flow.sourceRef.id)!,
    target: byId.get(flow.targetRef.id)!,
    points: [],
  }));
  tidyGrid(nodes, edges);
  const top = Math.min(...nodes.map((n) => n.bounds.y));
  const bottom = Math.max(...nodes.map((n) => n.bounds.y + n.bounds.height));
  const rows = [...new Set(nodes.map((n) => n.row))].sort((a, b) => a - b);
  const lanes = [
    ...rows.slice(0, -1).map((r) => (r + 1) * PITCH.y),
    ...[1, 2, 3, 4].map((k) => top - 40 - k * LANE_GAP),
    ...[1, 2, 3, 4].map((k) => bottom + 10 + k * LANE_GAP),
  ];
  // Edges along a row first, then the short ones, so the long detours go around them.
  const span = (e: Edge) =>
    (e.source.row === e.target.row ? 0 : 1000) +
    Math.abs(e.source.col - e.target.col) +
    Math.abs(e.source.row - e.target.row);
  const order = [...edges].sort((a, b) => span(a) - span(b));
  const placed: Edge[] = [];
  for (const edge of order) {
    edge.points = route(edge, nodes, placed, lanes);
    placed.push(edge);
  }

  // Labels: events below; gateways above or below, wherever no edge docks; flows beside their first bend.
  const shapes = nodes.map((n) => inflate(n.bounds, 3));
  const taken: Rect[] = [...shapes, ...segments(edges)];
  for (const n of nodes) {
    if (n.kind === 'task' || !n.el.name) continue;
    const size = labelSize(n.el.name);
    const c = centre(n.bounds);
    const below = { x: c.x - size.width / 2, y: n.bounds.y + n.bounds.height + 5, ...size };
    const above = { x: c.x - size.width / 2, y: n.bounds.y - 5 - size.height, ...size };
    const aboveLeft = { ...above, x: n.bounds.x - size.width - 2 };
    const belowLeft = { ...below, x: n.bounds.x - size.width - 2 };
    const aboveRight = { ...above, x: n.bounds.x + n.bounds.width + 2 };
    const belowRight = { ...below, x: n.bounds.x + n.bounds.width + 2 };
    n.label = freeSpot(
      n.kind === 'event' ? [below, above] : [above, below, aboveLeft, belowLeft, aboveRight, belowRight],
      taken,
    );
    taken.push(n.label);
  }
  for (const e of edges) {
    if (!e.flow.name) continue;
    const horizontal: Rect[] = [];
    const vertical: Rect[] = [];
    for (let i = e.points.length - 1; i > 0; i--) {
      const a = e.points[i - 1]!;
      const b = e.points[i]!;
      const options = a.y === b.y ? horizontal : vertical;
      if (a.y === b.y) {
        const x0 = Math.min(a.x, b.x);
        const x1 = Math.max(a.x, b.x);
        const size = labelSize(e.flow.name, Math.min(LABEL_WIDTH, Math.max(60, x1 - x0 - 14)));
        for (const x of [x0 + 7, x1 - size.width - 7, (x0 + x1 - size.width) / 2]) {
          options.push({ x, y: a.y - size.height - 3, ...size }, { x, y: a.y + 4, ...size });
        }
      } else {
        const y0 = Math.min(a.y, b.y);
        const y1 = Math.max(a.y, b.y);
        const size = labelSize(e.flow.name);
        for (const y of [y0 + 6, y1 - size.height - 6])
          options.push({ x: a.x + 5, y, ...size }, { x: a.x - size.width - 5, y, ...size });
      }
    }
    e.label = freeSpot([...horizontal, ...vertical], taken);
    taken.push(e.label);
  }

  // Everything on positive coordinates.
  const all = [
    ...nodes.map((n) => n.bounds),
    ...nodes.flatMap((n) => (n.label ? [n.label] : [])),
    ...edges.flatMap((e) => (e.label ? [e.label] : [])),
    ...segments(edges),
  ];
  const dx = 20 - Math.min(...all.map((r) => r.x));
  const dy = 20 - Math.min(...all.map((r) => r.y));
  const bounds = (r: Rect) =>
    moddle.create('dc:Bounds', {
      x: Math.round(r.x + dx),
      y: Math.round(r.y + dy),
      width: Math.round(r.width),
      height: Math.round(r.height),
    });
  const elements: ModdleElement[] = [];
  for (const n of nodes) {
    const shape = moddle.create('bpmndi:BPMNShape', {
      id: `${n.el.id}_di`,
      bpmnElement: n.el,
      bounds: bounds(n.bounds),
    });
    if (n.el.$type === 'bpmn:ExclusiveGateway') shape.isMarkerVisible = true;
    if (n.label) shape.label = moddle.create('bpmndi:BPMNLabel', { bounds: bounds(n.label) });
    elements.push(shape);
  }
  for (const e of edges) {
    const edge = moddle.create('bpmndi:BPMNEdge', {
      id: `${e.flow.id}_di`,
      bpmnElement: e.flow,
      waypoint: e.points.map((p) => moddle.create('dc:Point', { x: p.x + dx, y: p.y + dy })),
    });
    if (e.label) edge.label = moddle.create('bpmndi:BPMNLabel', { bounds: bounds(e.label) });
    elements.push(edge);
  }
  plane.planeElement = elements;
}

async function main(files: string[]): Promise<void> {
  for (const file of files.length ? files : exampleProcesses()) {
    const before = readFileSync(file, 'utf8');
    const after = await layout(before);
    if (after !== before) writeFileSync(file, after);
    console.log(`${after === before ? 'unchanged' : 'laid out'}  ${relative(process.cwd(), file)}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
