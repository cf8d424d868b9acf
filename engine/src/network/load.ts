/**
 * Reads a network file: its shape by JSON Schema (ajv, every error), then the references
 * between regions, departments, venues and window types — all problems reported at once.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import { networkSchema } from './schema.js';
import {
  LEVEL_OF_KIND,
  LEVELS,
  type AppointmentSettings,
  type Department,
  type NetworkFile,
  type NetworkSettings,
  type OpeningHours,
  type Region,
  type ServiceNetwork,
  type Venue,
} from './types.js';

export class NetworkError extends Error {
  constructor(readonly problems: string[]) {
    super(`the service network file is invalid:\n- ${problems.join('\n- ')}`);
    this.name = 'NetworkError';
  }
}

const checkShape = new Ajv({ allErrors: true, strict: false }).compile<NetworkFile>(networkSchema);

export const DEFAULT_APPOINTMENTS: AppointmentSettings = {
  slotMinutes: 30,
  perWindow: 2,
  horizonDays: 10,
  earlyMinutes: 30,
  lateMinutes: 15,
  noShowLimit: 3,
  noShowDays: 30,
};

export const DEFAULT_HOURS: OpeningHours = {
  sessions: [
    { from: '09:00', to: '12:00' },
    { from: '14:00', to: '17:30' },
  ],
};

const shapeProblem = (e: ErrorObject) =>
  `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${e.params && 'allowedValues' in e.params ? ` (${(e.params.allowedValues as unknown[]).join(', ')})` : ''}`;

const CODE_LENGTH: Record<string, number> = { city: 6, district: 6, town: 9, village: 12 };

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));

function hoursProblems(where: string, hours: OpeningHours | undefined): string[] {
  if (!hours) return [];
  const problems: string[] = [];
  let last = -1;
  for (const s of hours.sessions) {
    if (minutes(s.from) >= minutes(s.to))
      problems.push(`${where}: session ${s.from}–${s.to} ends before it starts`);
    if (minutes(s.from) < last)
      problems.push(`${where}: session ${s.from}–${s.to} overlaps or is out of order`);
    last = minutes(s.to);
  }
  return problems;
}

function duplicates(values: string[]): string[] {
  return [...new Set(values.filter((v, i) => values.indexOf(v) !== i))];
}

/** Checks and indexes a parsed network file; throws NetworkError listing every problem. */
export function loadNetwork(input: unknown): ServiceNetwork {
  if (!checkShape(input)) throw new NetworkError((checkShape.errors ?? []).map(shapeProblem));
  const file = input;
  const problems: string[] = [];
  const add = (p: string) => problems.push(p);

  for (const [what, list] of [
    ['region', file.regions.map((r) => r.code)],
    ['department', file.departments.map((d) => d.id)],
    ['venue', file.venues.map((v) => v.id)],
    ['window type', file.windowTypes.map((w) => w.code)],
    ['window type prefix', file.windowTypes.map((w) => w.prefix)],
    ['item', (file.items ?? []).map((i) => i.code)],
  ] as const) {
    for (const d of duplicates(list)) add(`${what} "${d}" is defined twice`);
  }

  // regions: one root city, each child one level below its parent, codes nested in their parent's
  const defs = new Map(file.regions.map((r) => [r.code, r]));
  const roots = file.regions.filter((r) => r.parent === undefined);
  if (roots.length !== 1 || roots[0]!.kind !== 'city')
    add(
      `exactly one region must have no parent, and it must be the city (found ${roots.map((r) => r.code).join(', ') || 'none'})`,
    );
  const regions = new Map<string, Region>();
  const children = new Map<string, Region[]>();
  for (const def of file.regions) {
    const level = LEVEL_OF_KIND[def.kind];
    const at = `region ${def.code} (${def.name.zh})`;
    if (def.code.length !== CODE_LENGTH[level])
      add(`${at}: a ${level} code has ${CODE_LENGTH[level]} digits`);
    const path = [def.code];
    let ok = true;
    if (def.parent !== undefined) {
      const parent = defs.get(def.parent);
      if (!parent) {
        add(`${at}: parent ${def.parent} is not a region`);
        ok = false;
      } else {
        const parentLevel = LEVEL_OF_KIND[parent.kind];
        if (LEVELS.indexOf(level) !== LEVELS.indexOf(parentLevel) + 1)
          add(`${at}: a ${level} cannot sit under a ${parentLevel} (${parent.code})`);
        const prefix = parentLevel === 'city' ? parent.code.slice(0, 4) : parent.code;
        if (!def.code.startsWith(prefix))
          add(`${at}: the code must start with ${prefix} (its parent ${parent.code})`);
        for (
          let p: typeof def | undefined = parent;
          p;
          p = p.parent === undefined ? undefined : defs.get(p.parent)
        ) {
          if (path.includes(p.code)) break;
          path.unshift(p.code);
        }
      }
    }
    if (ok) {
      const region: Region = { ...def, level, path };
      regions.set(def.code, region);
      if (def.parent !== undefined) {
        const list = children.get(def.parent) ?? [];
        list.push(region);
        children.set(def.parent, list);
      }
    }
  }

  const windowTypes = new Map(file.windowTypes.map((w) => [w.code, w]));
  const venueIds = new Set(file.venues.map((v) => v.id));

  const departments = new Map<string, Department>();
  const jurisdiction = new Map<string, string>();
  for (const def of file.departments) {
    const at = `department ${def.id}`;
    const region = regions.get(def.region);
    if (!region) {
      add(`${at}: region ${def.region} is not a region`);
      continue;
    }
    if (def.stationedAt !== undefined && !venueIds.has(def.stationedAt))
      add(`${at}: stationedAt ${def.stationedAt} is not a venue`);
    for (const c of [def.region, ...(def.covers ?? [])]) {
      const covered = regions.get(c);
      if (!covered) add(`${at}: covers ${c}, which is not a region`);
      else if (covered.level !== region.level)
        add(`${at}: covers ${c}, a ${covered.level}, but it is a ${region.level} department`);
      const key = `${def.code}@${c}`;
      const other = jurisdiction.get(key);
      if (other) add(`${at}: ${other} already has jurisdiction for "${def.code}" in ${c}`);
      else jurisdiction.set(key, def.id);
    }
    departments.set(def.id, { ...def, level: region.level });
  }

  const venues = new Map<string, Venue>();
  for (const def of file.venues) {
    const at = `venue ${def.id}`;
    const region = regions.get(def.region);
    if (!region) add(`${at}: region ${def.region} is not a region`);
    for (const d of duplicates(def.windows.map((w) => w.id))) add(`${at}: window ${d} is listed twice`);
    for (const w of def.windows) {
      for (const t of [w.type, ...(w.serves ?? [])])
        if (!windowTypes.has(t)) add(`${at}: window ${w.id} has unknown type "${t}"`);
    }
    problems.push(...hoursProblems(at, def.hours));
    if (typeof def.appointments === 'object') {
      for (const t of Object.keys(def.appointments.capacity ?? {}))
        if (!windowTypes.has(t)) add(`${at}: appointment capacity for unknown window type "${t}"`);
    }
    if (region) venues.set(def.id, { ...def, level: region.level });
  }

  problems.push(...hoursProblems('settings', file.settings?.hours));
  for (const t of Object.keys(file.settings?.appointments?.capacity ?? {}))
    if (!windowTypes.has(t)) add(`settings: appointment capacity for unknown window type "${t}"`);

  if (problems.length) throw new NetworkError(problems);

  const settings: NetworkSettings = {
    defaultItemLevel: file.settings?.defaultItemLevel ?? 'district',
    elderlyAge: file.settings?.elderlyAge ?? 60,
    appointments: { ...DEFAULT_APPOINTMENTS, ...file.settings?.appointments },
    hours: file.settings?.hours ?? DEFAULT_HOURS,
  };
  return {
    version: file.version,
    settings,
    root: regions.get(roots[0]!.code)!,
    regions,
    departments,
    venues,
    windowTypes,
    items: new Map((file.items ?? []).map((i) => [i.code, i])),
    children,
  };
}

/** Reads and checks a network file from disk (ONETHING_NETWORK_FILE in a deployment). */
export function loadNetworkFile(path: string | URL): ServiceNetwork {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new NetworkError([`${String(path)}: ${(err as Error).message}`]);
  }
  return loadNetwork(raw);
}

/** The example network shipped for Zhuhai (examples/network/zhuhai.json). */
export const ZHUHAI_NETWORK_FILE = new URL('../../../examples/network/zhuhai.json', import.meta.url);
