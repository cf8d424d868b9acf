/**
 * 一次告知: the public guide of a bundle for one applicant's situation answers — the items that
 * apply with their conditions, deciding level, time limits and fees; one list of materials, with
 * what an e-licence, shared data or a signed commitment can replace; and the venues that receive
 * it, nearest first. The situations the bundle cannot be applied for (refuseWhen) are told up
 * front; answers that fall into one get its message instead of items and materials. The data
 * behind the printable guide page (web/), needing no sign-in.
 */
import { workingAgeRuleText } from '../../../forms/src/validate/working-age.js';
import { inspectCondition } from '../../../forms/src/feel/condition.js';
import { mergeBundle } from '../../../forms/src/merge/index.js';
import type { BundleDefinition, SituationQuestion } from '../../../forms/src/bundle/index.js';
import type { MergedMaterial, MergeProblem } from '../../../forms/src/merge/index.js';
import type { Text } from '../domain/errors.js';
import { implementationOf, venuesFor } from './routing.js';
import {
  JURISDICTION_NAMES,
  LEVEL_NAMES,
  VENUE_KIND_NAMES,
  type Fee,
  type JurisdictionBasis,
  type Level,
  type ServiceNetwork,
  type VenueKind,
} from './types.js';

/** A situation question with the answer this guide was computed with, when given. */
export type GuideQuestion = SituationQuestion & { answer?: unknown };

export interface GuideItem {
  code: string;
  name: Text;
  department: { code: string; name: Text };
  level: Level;
  levelName: Text;
  jurisdiction: { basis: JurisdictionBasis; name: Text };
  /** 受理条件 in words (empty when the implementation list states none). */
  conditions: Text[];
  promisedDays: number;
  legalDays?: number;
  /** Absent when the deployment's implementation list does not state it. */
  fee?: Fee;
  /** Item codes whose results it needs first. */
  after: string[];
  /** The e-licence its approval issues. */
  issues?: string;
  crossRegion: boolean;
}

export interface GuideMaterial {
  id: string;
  name: Text;
  form: MergedMaterial['form'];
  formName: Text;
  source: MergedMaterial['source'];
  required: boolean;
  /** The applicant brings or uploads it (not generated from the form, shared data or an earlier result). */
  bring: boolean;
  items: string[];
  replaceableBy: { eLicence?: string; commitment: boolean; sharedData: boolean };
  /** 容缺: may follow after acceptance. */
  deferrable: boolean;
}

export interface GuideVenue {
  id: string;
  name: Text;
  kind: VenueKind;
  kindName: Text;
  region: string;
  /** Region names from the city down, e.g. 珠海市 · 斗门区 · 白蕉镇. */
  regionName: Text;
  address?: Text;
  phone?: string;
  hours: { from: string; to: string }[];
  /** Receives the whole bundle; otherwise only `items`. */
  wholeBundle: boolean;
  items: string[];
  receiveOnly: boolean;
  appointments: boolean;
}

/** A situation the bundle cannot be applied for (bundle.json refuseWhen) and what to do instead. */
export interface GuideRefusal {
  message: Text;
  /** The situation questions whose answers lead there. */
  questions: { id: string; label: Text }[];
}

/** The answers fall into a refused situation: its message, naming the answers given. */
export type GuideRefused = Pick<MergeProblem, 'message' | 'answers'>;

export interface Guide {
  bundle: {
    code: string;
    version: number;
    name: Text;
    leadDepartment: { code: string; name: Text };
    promisedDays: number;
  };
  questions: GuideQuestion[];
  answers: Record<string, unknown>;
  /** Every question has an answer: the lists are final. */
  complete: boolean;
  /** Every situation the bundle cannot be applied for, told before anyone starts. */
  refusals: GuideRefusal[];
  /** Non-empty when the answers fall into one: then there are no items, materials or fees to list. */
  refused: GuideRefused[];
  items: GuideItem[];
  notApplicable: { code: string; name: Text }[];
  materials: GuideMaterial[];
  fees: { free: boolean; stated: boolean; items: { code: string; fee: Fee }[] };
  venues: GuideVenue[];
  networkVersion: string;
  generatedAt: string;
}

const FORM_NAMES: Record<MergedMaterial['form'], Text> = {
  original: { zh: '原件（现场核验）', en: 'original (inspected)' },
  copy: { zh: '复印件', en: 'copy' },
  electronic: { zh: '电子材料', en: 'electronic' },
};

/** Keeps only answers to the bundle's questions, of the question's type. */
export function cleanAnswers(
  definition: BundleDefinition,
  answers: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const q of definition.questions) {
    const v = answers[q.id];
    if (v === undefined || v === null) continue;
    const values = new Set(q.options?.map((o) => o.value));
    if (q.type === 'boolean' && typeof v === 'boolean') out[q.id] = v;
    else if (q.type === 'number' && typeof v === 'number' && Number.isFinite(v)) out[q.id] = v;
    else if (q.type === 'choice' && typeof v === 'string' && values.has(v)) out[q.id] = v;
    else if (q.type === 'multiChoice' && Array.isArray(v))
      out[q.id] = v.filter((x) => typeof x === 'string' && values.has(x));
  }
  return out;
}

export function buildGuide(
  network: ServiceNetwork,
  bundle: { code: string; version: number; definition: BundleDefinition },
  rawAnswers: Record<string, unknown>,
  options: { region?: string; now?: number } = {},
): Guide {
  const d = bundle.definition;
  const answers = cleanAnswers(d, rawAnswers);
  const merged = mergeBundle(d, answers);
  const refused = merged.problems
    .filter((p) => p.code === 'refused')
    .map(({ message, answers: given }): GuideRefused => ({ message, answers: given }));
  // A refused situation has nothing to apply for: no items or materials to prepare.
  const applying = refused.length ? { items: [], materials: [] } : merged;
  const departmentName = (code: string) =>
    d.departments.find((x) => x.code === code)?.name ?? { zh: code, en: code };
  const active = new Set(merged.items.map((i) => i.code));
  const items = applying.items.map((i): GuideItem => {
    const impl = implementationOf(network, i);
    return {
      code: i.code,
      name: i.name,
      department: { code: i.department, name: departmentName(i.department) },
      level: impl.level,
      levelName: LEVEL_NAMES[impl.level],
      jurisdiction: { basis: impl.jurisdiction, name: JURISDICTION_NAMES[impl.jurisdiction] },
      conditions: impl.conditions ?? [],
      promisedDays: i.promisedDays,
      ...(impl.legalDays !== undefined ? { legalDays: impl.legalDays } : {}),
      ...(impl.fee ? { fee: impl.fee } : {}),
      after: (i.after ?? []).filter((a) => active.has(a)),
      ...(i.issues ? { issues: i.issues.eLicenceType } : {}),
      crossRegion: impl.crossRegion === true,
    };
  });
  const materials = applying.materials.map((m): GuideMaterial => ({
    id: m.id,
    name: m.name,
    form: m.form,
    formName: FORM_NAMES[m.form],
    source: m.source,
    required: m.required,
    bring: m.source === 'applicant' || m.source === 'eLicence',
    items: m.items,
    replaceableBy: {
      ...(m.eLicenceType ? { eLicence: m.eLicenceType } : {}),
      commitment: m.commitment,
      sharedData: m.source === 'shared',
    },
    deferrable: m.deferrable,
  }));
  const regionName = (code: string): Text => {
    const names = (network.regions.get(code)?.path ?? [code]).map(
      (c) => network.regions.get(c)?.name ?? { zh: c, en: c },
    );
    return { zh: names.map((n) => n.zh).join(' · '), en: names.map((n) => n.en).join(' · ') };
  };
  const venues = venuesFor(network, {
    bundle: d.code,
    items: [...active],
    ...(options.region ? { region: options.region } : {}),
  }).map(({ venue, wholeBundle, items: accepted }): GuideVenue => ({
    id: venue.id,
    name: venue.name,
    kind: venue.kind,
    kindName: VENUE_KIND_NAMES[venue.kind],
    region: venue.region,
    regionName: regionName(venue.region),
    ...(venue.address ? { address: venue.address } : {}),
    ...(venue.phone ? { phone: venue.phone } : {}),
    hours: (venue.hours ?? network.settings.hours).sessions,
    wholeBundle,
    items: accepted,
    receiveOnly: venue.receiveOnly === true,
    appointments: venue.appointments !== false && venue.windows.length > 0,
  }));
  const fees = items.filter((i) => i.fee).map((i) => ({ code: i.code, fee: i.fee! }));
  const listed = new Set(items.map((i) => i.code));
  return {
    bundle: {
      code: d.code,
      version: bundle.version,
      name: d.name,
      leadDepartment: { code: d.leadDepartment, name: departmentName(d.leadDepartment) },
      promisedDays: d.promisedDays,
    },
    questions: d.questions.map((q) => ({
      ...q,
      ...(answers[q.id] !== undefined ? { answer: answers[q.id] } : {}),
    })),
    answers,
    complete: d.questions.every((q) => answers[q.id] !== undefined),
    refusals: refusalsOf(d),
    refused,
    items,
    // Refused: no item of the bundle applies.
    notApplicable: d.items.filter((i) => !listed.has(i.code)).map((i) => ({ code: i.code, name: i.name })),
    materials,
    fees: { free: fees.every((f) => f.fee.free), stated: fees.length === items.length, items: fees },
    venues,
    networkVersion: network.version,
    generatedAt: new Date(options.now ?? Date.now()).toISOString(),
  };
}

/** The bundle's refuseWhen entries, each with the questions its condition reads. */
function refusalsOf(d: BundleDefinition): GuideRefusal[] {
  const bySituation = (d.refuseWhen ?? []).map((r) => {
    const read = new Set(inspectCondition(r.condition).variables);
    return {
      message: r.message,
      questions: d.questions.filter((q) => read.has(q.id)).map((q) => ({ id: q.id, label: q.label })),
    };
  });
  // The applicant's age is read from the ID number at the window, not asked.
  return d.applicantAge
    ? [...bySituation, { message: workingAgeRuleText(d.applicantAge), questions: [] }]
    : bySituation;
}
