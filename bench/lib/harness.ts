/**
 * The measuring loop. Each case has our side and, where there is one, the reference side. Both are
 * warmed up, then measured in alternating order round after round in the same process, so machine
 * noise (other jobs on a shared 2-core box) falls on both alike. A round runs a fixed count of
 * operations; what we keep per round is the throughput (or, for latency cases, the samples).
 */

/** What one measured batch did: operations (instances, queries…) and, optionally, user tasks in them. */
export interface Work {
  ops: number;
  tasks?: number;
  /** Latency cases: one duration per operation, milliseconds. */
  samples?: number[];
  /** Throughput cases under concurrent load (HTTP): the batch's latency percentiles, milliseconds. */
  latency?: { p50: number; p99: number };
  /**
   * The batch's own duration, seconds, when the driver knows it better than the harness's clock
   * around run() (autocannon reports only on its next 1-second sample tick after the last response).
   */
  seconds?: number;
}

export interface Side {
  /** How the side is driven, one line for the report. */
  label: string;
  /** Operations per measured round (fixed). */
  count: number;
  /** Operations before the first round, to let the JIT settle. */
  warmup: number;
  /** Untimed set-up before each batch of `count` operations (fresh engine, deployed model, open tasks…). */
  prepare?: (count: number) => Promise<void> | void;
  run: (count: number) => Promise<Work> | Work;
  /** After the last batch (before the case's teardown): close what the last prepare opened. */
  finish?: () => Promise<void> | void;
}

export interface CaseDef {
  id: string;
  title: string;
  /** 'throughput': ops/s (and user tasks/s); 'latency': p50/p95 of the samples. */
  kind: 'throughput' | 'latency';
  unit: string;
  ours: Side;
  reference?: Side;
  /** What the case should reach, shown in the report (e.g. '≥ 200× bpmn-engine'). */
  target?: string;
  /** Notes for the report: model, how conditions were translated… */
  notes?: string;
  rounds?: number;
  /** Untimed, once before the case (e.g. filling a database). */
  setup?: () => Promise<void> | void;
  teardown?: () => Promise<void> | void;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
  q1: number;
  q3: number;
}

export interface SideResult {
  label: string;
  count: number;
  rounds: number;
  /** Throughput per round (ops/s) or, for latency, the p50 per round. */
  perRound: number[];
  value: Spread;
  /** User tasks/s per round, when the side reports tasks. */
  tasks?: Spread;
  /**
   * Latency cases: percentiles over every sample of every round, milliseconds. Throughput cases
   * that report latency under load: the median over rounds of each round's p50 and p99.
   */
  p50?: number;
  p95?: number;
  p99?: number;
}

export interface CaseResult {
  id: string;
  title: string;
  kind: CaseDef['kind'];
  unit: string;
  target?: string;
  notes?: string;
  ours: SideResult;
  reference?: SideResult;
  /** Paired per-round ratios ours/reference (each round measured both back to back). */
  ratio?: Spread;
  /**
   * The same ratio over this process's CPU time instead of wall time: what each side costs, less
   * disturbed by other jobs on the machine (it leaves out work done in other processes, e.g. a
   * database server).
   */
  cpuRatio?: Spread;
  seconds: number;
}

/** A latency case's run: `op` `count` times, each timed (ms). */
export async function timeEach(count: number, op: () => Promise<void>): Promise<Work> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await op();
    samples.push(performance.now() - started);
  }
  return { ops: count, samples };
}

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function spread(values: readonly number[]): Spread {
  const s = [...values].sort((a, b) => a - b);
  return {
    median: quantile(s, 0.5),
    min: s[0]!,
    max: s[s.length - 1]!,
    q1: quantile(s, 0.25),
    q3: quantile(s, 0.75),
  };
}

interface Round {
  perSecond: number;
  /** Operations per second of this process's CPU time (all threads): steadier than wall time on a busy machine. */
  perCpuSecond: number;
  tasksPerSecond?: number;
  samples?: number[];
  latency?: { p50: number; p99: number };
}

async function batch(side: Side, count: number): Promise<Round> {
  await side.prepare?.(count);
  const started = performance.now();
  const cpu = process.cpuUsage();
  const work = await side.run(count);
  const seconds = work.seconds ?? (performance.now() - started) / 1000;
  if (work.ops !== count) throw new Error(`${side.label}: ran ${work.ops} of ${count} operations`);
  const used = process.cpuUsage(cpu);
  const round: Round = {
    perSecond: work.ops / seconds,
    perCpuSecond: work.ops / ((used.user + used.system) / 1e6),
  };
  if (work.tasks !== undefined) round.tasksPerSecond = work.tasks / seconds;
  if (work.samples) round.samples = work.samples;
  if (work.latency) round.latency = work.latency;
  return round;
}

function summarise(side: Side, kind: CaseDef['kind'], rounds: Round[]): SideResult {
  const result: SideResult = {
    label: side.label,
    count: side.count,
    rounds: rounds.length,
    perRound: [],
    value: spread([0]),
  };
  if (kind === 'latency') {
    const perRound = rounds.map((r) =>
      quantile(
        [...r.samples!].sort((a, b) => a - b),
        0.5,
      ),
    );
    const all = rounds.flatMap((r) => r.samples!).sort((a, b) => a - b);
    Object.assign(result, {
      perRound,
      value: spread(perRound),
      p50: quantile(all, 0.5),
      p95: quantile(all, 0.95),
      p99: quantile(all, 0.99),
    });
    return result;
  }
  result.perRound = rounds.map((r) => r.perSecond);
  result.value = spread(result.perRound);
  if (rounds.every((r) => r.tasksPerSecond !== undefined))
    result.tasks = spread(rounds.map((r) => r.tasksPerSecond!));
  if (rounds.every((r) => r.latency !== undefined)) {
    result.p50 = spread(rounds.map((r) => r.latency!.p50)).median;
    result.p99 = spread(rounds.map((r) => r.latency!.p99)).median;
  }
  return result;
}

/**
 * Seconds each side runs before its first round, at the least. Each case now starts in a fresh
 * process, and bpmn-engine, warmed by a fixed count of 10–20 instances (half a second), still ran
 * 20–30% below its speed after a few seconds (JIT); our side's counts took a fraction of that.
 */
export const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);

/** Batches of `side.warmup` operations until `seconds` have passed (none for a warm-up of 0); how many. */
export async function warmUp(
  side: Side,
  seconds = WARMUP_SECONDS,
  now: () => number = () => performance.now(),
): Promise<number> {
  if (side.warmup <= 0) return 0;
  const started = now();
  let batches = 0;
  do {
    await batch(side, side.warmup);
    batches++;
  } while (now() - started < seconds * 1000);
  return batches;
}

/** `rounds`: the default; `forceRounds` (from --rounds or --quick) overrides a case's own count. */
export async function measure(
  def: CaseDef,
  options: { rounds: number; forceRounds?: boolean; log?: (line: string) => void },
): Promise<CaseResult> {
  const log = options.log ?? (() => undefined);
  const rounds = options.forceRounds ? options.rounds : (def.rounds ?? options.rounds);
  const started = performance.now();
  await def.setup?.();
  try {
    const sides = def.reference ? [def.ours, def.reference] : [def.ours];
    for (const side of sides) await warmUp(side);
    const measured = new Map<Side, Round[]>(sides.map((s) => [s, []]));
    for (let r = 0; r < rounds; r++) {
      // Alternate who goes first so neither side always runs right after the other's garbage.
      const order = r % 2 === 0 ? sides : [...sides].reverse();
      for (const side of order) measured.get(side)!.push(await batch(side, side.count));
      const ours = measured.get(def.ours)!.at(-1)!;
      const ref = def.reference ? measured.get(def.reference)!.at(-1) : undefined;
      log(
        `  round ${r + 1}/${rounds}: ours ${fmt(ours.perSecond)}/s${ref ? `, reference ${fmt(ref.perSecond)}/s` : ''}`,
      );
    }
    const result: CaseResult = {
      id: def.id,
      title: def.title,
      kind: def.kind,
      unit: def.unit,
      ours: summarise(def.ours, def.kind, measured.get(def.ours)!),
      seconds: 0,
    };
    if (def.target) result.target = def.target;
    if (def.notes) result.notes = def.notes;
    if (def.reference) {
      const ours = measured.get(def.ours)!;
      const ref = measured.get(def.reference)!;
      result.reference = summarise(def.reference, def.kind, ref);
      result.ratio = spread(ours.map((o, i) => o.perSecond / ref[i]!.perSecond));
      result.cpuRatio = spread(ours.map((o, i) => o.perCpuSecond / ref[i]!.perCpuSecond));
    }
    result.seconds = (performance.now() - started) / 1000;
    return result;
  } finally {
    await def.ours.finish?.();
    await def.reference?.finish?.();
    await def.teardown?.();
  }
}

/** 1234567 → '1,234,567'; small numbers keep a few significant digits. */
export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString('en');
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toPrecision(3);
}
