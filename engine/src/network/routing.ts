/**
 * Jurisdiction (属地): which department decides an item for an applicant's region, and which
 * venues may receive what. Pure functions over a loaded network: the Centre calls them at
 * acceptance to record the accepting venue and, per item, the deciding department and region
 * (就近申报、异地收件、远程流转、属地办理).
 */
import { t, DomainError, type Text } from '../domain/errors.js';
import {
  LEVEL_NAMES,
  LEVELS,
  type Department,
  type ItemImplementation,
  type JurisdictionBasis,
  type Level,
  type Region,
  type ServiceNetwork,
  type Venue,
} from './types.js';

export interface CompetentQuery {
  /** Functional department code of the item (bundle.json `items[].department`). */
  department: string;
  /** The level the item is decided at. */
  level: Level;
  /** The applicant's (household, residence) or the premises' region code, 6 to 12 digits. */
  region: string;
  /** The unified-form field the region was taken from, named when it is not precise enough. */
  field?: string;
}

export interface Competent {
  department: Department;
  /** The region at the item's level whose department decides (the applicant's district, town…). */
  region: Region;
  /** Where the deciding department is stationed (进驻), when known. */
  venue?: Venue;
}

export function regionOf(network: ServiceNetwork, code: string): Region {
  const region = network.regions.get(code);
  if (!region) {
    throw new DomainError(
      'invalid',
      t(`区划代码 ${code} 不在本地服务网络中`, `region ${code} is not in this service network`),
      [{ field: 'region', message: t('未知的行政区划代码', 'unknown administrative-division code') }],
    );
  }
  return region;
}

/** The region itself or its ancestor at `level`, or undefined when the region is above it. */
export function ancestorAt(network: ServiceNetwork, region: Region, level: Level): Region | undefined {
  const index = LEVELS.indexOf(level);
  const code = region.path[index];
  return code === undefined ? undefined : network.regions.get(code);
}

/** Whether `inner` is `outer` or lies inside it. */
export const within = (inner: Region, outer: Region) => inner.path.includes(outer.code);

/**
 * The department competent for an item: the department with the item's functional code at the
 * item's level in the applicant's region (or one that covers that region, e.g. a district office
 * serving a function zone).
 */
export function competentDepartment(network: ServiceNetwork, query: CompetentQuery): Competent {
  const start = regionOf(network, query.region);
  const at = ancestorAt(network, start, query.level);
  if (!at) {
    const field = query.field ?? 'region';
    const level = LEVEL_NAMES[query.level];
    throw new DomainError(
      'invalid',
      t(
        `该事项由${level.zh}部门办理，${field} 须为到${level.zh}的区划代码（当前为 ${start.name.zh} ${start.code}）`,
        `the item is decided at ${level.en} level: ${field} must be a region code down to that level (have ${start.name.en} ${start.code})`,
      ),
      [
        {
          field,
          message: t(
            `需要${level.zh}区划代码${query.level === 'town' ? '（9位）' : ''}`,
            `a ${level.en} region code is needed${query.level === 'town' ? ' (9 digits)' : ''}`,
          ),
        },
      ],
    );
  }
  let department: Department | undefined;
  for (const d of network.departments.values()) {
    if (d.code !== query.department || d.level !== query.level) continue;
    if (d.region === at.code) {
      department = d;
      break;
    }
    if (d.covers?.includes(at.code)) department ??= d;
  }
  if (!department) {
    throw new DomainError(
      'notFound',
      t(
        `${at.name.zh}没有办理该事项的部门（${query.department}）`,
        `no ${query.department} department has jurisdiction in ${at.name.en}`,
      ),
      [
        {
          field: 'department',
          message: t('服务网络中缺少该部门', 'the department is missing from the service network'),
        },
      ],
    );
  }
  const venue = stationOf(network, department);
  return { department, region: at, ...(venue ? { venue } : {}) };
}

/** The venue where a department works with applicants: its declared station, else its region's centre. */
export function stationOf(network: ServiceNetwork, department: Department): Venue | undefined {
  if (department.stationedAt) return network.venues.get(department.stationedAt);
  const here = [...network.venues.values()].filter(
    (v) => v.region === department.region && v.kind !== 'self-service' && v.kind !== 'village-station',
  );
  return here.find((v) => v.kind === 'centre' || v.kind === 'town-centre') ?? here[0];
}

/** 进驻事项清单: may this venue receive the bundle or item with this code? */
export function mayAccept(network: ServiceNetwork, venueId: string, code: string): boolean {
  const venue = network.venues.get(venueId);
  if (!venue) return false;
  const { bundles, items } = venue.accepts;
  return bundles === '*' || !!bundles?.includes(code) || !!items?.includes(code);
}

/** The item's implementation in this network, or the defaults (decided at the default level, by household). */
export function implementationOf(
  network: ServiceNetwork,
  item: { code: string; department: string },
): ItemImplementation {
  return (
    network.items.get(item.code) ?? {
      code: item.code,
      department: item.department,
      level: network.settings.defaultItemLevel,
      jurisdiction: 'household',
    }
  );
}

export interface RoutedItem {
  item: string;
  /** Functional code (as in the bundle) and the concrete department that decides. */
  department: string;
  decidingDepartment: string;
  decidingDepartmentName: Text;
  /** The deciding department's own region (its office; differs from decidingRegion when it covers a zone). */
  decidingDepartmentRegion: string;
  decidingRegion: string;
  decidingLevel: Level;
  /** Where its results come back from, when known. */
  decidingVenue?: string;
  /** 跨域: decided outside the accepting venue's district. */
  crossRegion: boolean;
}

export interface Routing {
  acceptedAt: string;
  acceptedRegion: string;
  /** The region the jurisdiction was taken from (applicant or premises). */
  jurisdictionRegion: string;
  items: RoutedItem[];
}

const districtOf = (network: ServiceNetwork, region: Region) =>
  ancestorAt(network, region, 'district')?.code ?? region.code;

/** The districts a department has jurisdiction in: its own region's and those of the regions it covers. */
const districtsOf = (network: ServiceNetwork, department: Department) =>
  [department.region, ...(department.covers ?? [])].map((code) =>
    districtOf(network, regionOf(network, code)),
  );

/** The forbidden error of a venue that may not receive items: one message naming them, one problem each. */
function refusal(why: Text, problems: { code: string; message: Text }[]): DomainError {
  const codes = problems.map((p) => p.code);
  return new DomainError(
    'forbidden',
    t(`${why.zh}：${codes.join('、')}`, `${why.en}: ${codes.join(', ')}`),
    problems.map((p) => ({ field: `items.${p.code}`, message: p.message })),
  );
}

/**
 * Routes every item of an application received at `venue`: refuses (403-style domain error) when
 * the venue may not receive the bundle or one of the items, otherwise names the deciding
 * department, region and venue per item. `region` is where jurisdiction lies (属地).
 */
export function routeApplication(
  network: ServiceNetwork,
  input: {
    venue: string;
    bundleCode: string;
    region: string;
    items: { code: string; department: string }[];
    /** The unified form's data: each item's region is taken from the field of its basis (household…). */
    data?: Record<string, unknown>;
  },
): Routing {
  const venue = network.venues.get(input.venue);
  if (!venue)
    throw new DomainError(
      'invalid',
      t(`受理地点 ${input.venue} 不在服务网络中`, `venue ${input.venue} is not in the service network`),
      [{ field: 'venue', message: t('未知的服务场所', 'unknown venue') }],
    );
  const wholeBundle = mayAccept(network, venue.id, input.bundleCode);
  const refused = wholeBundle ? [] : input.items.filter((i) => !mayAccept(network, venue.id, i.code));
  if (refused.length) {
    throw refusal(
      t(`${venue.name.zh}未进驻该事项，不能受理`, `${venue.name.en} may not receive`),
      refused.map((i) => ({
        code: i.code,
        message: t('不在本场所进驻事项清单中', 'not on this venue’s list of accepted items'),
      })),
    );
  }
  const jurisdiction = regionOf(network, input.region);
  const acceptedRegion = regionOf(network, venue.region);
  const home = districtOf(network, acceptedRegion);
  const local: { code: string; message: Text }[] = [];
  const items = input.items.map((i): RoutedItem => {
    const impl = implementationOf(network, i);
    // Items handled anywhere in the city (全市通办) are decided where they are received.
    const source =
      impl.jurisdiction === 'any'
        ? { region: acceptedRegion.code }
        : (regionField(network, impl.jurisdiction, input.data) ?? { region: jurisdiction.code });
    const level = impl.level;
    const c = competentDepartment(network, { department: i.department, level, ...source });
    const office = regionOf(network, c.department.region);
    // Not 跨域通办: only received in a district the deciding department has jurisdiction over.
    if (level !== 'city' && !impl.crossRegion && !districtsOf(network, c.department).includes(home))
      local.push({
        code: i.code,
        message: t(
          `未开通跨域通办，请到${c.department.name.zh}辖区内的服务场所申请`,
          `not handled across districts: apply at a venue where ${c.department.name.en} has jurisdiction`,
        ),
      });
    return {
      item: i.code,
      department: i.department,
      decidingDepartment: c.department.id,
      decidingDepartmentName: c.department.name,
      decidingDepartmentRegion: c.department.region,
      decidingRegion: c.region.code,
      decidingLevel: level,
      ...(c.venue ? { decidingVenue: c.venue.id } : {}),
      // 跨域: the deciding office (not the zone it covers) lies outside the receiving district.
      crossRegion: level !== 'city' && districtOf(network, office) !== home,
    };
  });
  if (local.length) {
    throw refusal(
      t(
        `${venue.name.zh}不能受理未开通跨域通办的事项`,
        `${venue.name.en} may not receive items not handled across districts`,
      ),
      local,
    );
  }
  return { acceptedAt: venue.id, acceptedRegion: venue.region, jurisdictionRegion: jurisdiction.code, items };
}

/**
 * The form fields an item's jurisdiction basis reads, most precise first. Household items fall back
 * to the place of residence: applicants without a local household are served where they live
 * (居住证持有人在常住地办理), which is also where the form asks for the address.
 */
const BASIS_FIELDS: Record<Exclude<JurisdictionBasis, 'any'>, string[]> = {
  household: ['householdRegion', 'residenceTown', 'residenceRegion', 'homeRegion'],
  residence: ['residenceTown', 'residenceRegion', 'homeRegion', 'householdRegion'],
  premises: ['premisesRegion', 'siteRegion', 'regionCode'],
  'registered-address': ['regionCode', 'premisesRegion'],
};

/** The first of the basis's fields that names a region of the network, with the field's id. */
export function regionField(
  network: ServiceNetwork,
  basis: Exclude<JurisdictionBasis, 'any'>,
  data: Record<string, unknown> | undefined,
): { region: string; field: string } | undefined {
  for (const field of BASIS_FIELDS[basis]) {
    const value = data?.[field];
    if (typeof value === 'string' && network.regions.has(value)) return { region: value, field };
  }
  return undefined;
}

/**
 * The region jurisdiction is taken from, for an application: the unified form's region field
 * (regionCode: premises or residence, as the bundle asks) when it names a region of the
 * network, else the accepting venue's region (nearby service for local applicants).
 */
export function jurisdictionRegion(
  network: ServiceNetwork,
  input: { data?: Record<string, unknown>; venue?: string },
): string | undefined {
  for (const key of ['regionCode', 'premisesRegion', 'residenceRegion', 'householdRegion']) {
    const value = input.data?.[key];
    if (typeof value === 'string' && network.regions.has(value)) return value;
  }
  return input.venue ? network.venues.get(input.venue)?.region : undefined;
}

/** Venues that may receive a bundle (or any of the given items), nearest to `near` first. */
export function venuesFor(
  network: ServiceNetwork,
  filter: { bundle?: string; items?: string[]; region?: string } = {},
): { venue: Venue; wholeBundle: boolean; items: string[] }[] {
  const near = filter.region ? network.regions.get(filter.region) : undefined;
  const out: { venue: Venue; wholeBundle: boolean; items: string[]; distance: number }[] = [];
  for (const venue of network.venues.values()) {
    const region = network.regions.get(venue.region)!;
    if (filter.region && !near) continue;
    const wholeBundle = filter.bundle ? mayAccept(network, venue.id, filter.bundle) : false;
    const items = (filter.items ?? []).filter((i) => mayAccept(network, venue.id, i));
    if ((filter.bundle || filter.items) && !wholeBundle && !items.length) continue;
    out.push({
      venue,
      wholeBundle,
      items: wholeBundle ? [...(filter.items ?? [])] : items,
      distance: near ? distance(near, region) : 0,
    });
  }
  return out
    .sort(
      (a, b) =>
        a.distance - b.distance ||
        LEVELS.indexOf(a.venue.level) - LEVELS.indexOf(b.venue.level) ||
        a.venue.id.localeCompare(b.venue.id),
    )
    .map(({ distance: _d, ...rest }) => rest);
}

/** Steps between two regions in the tree (0 = same, 1 = parent/child …). */
function distance(a: Region, b: Region): number {
  let common = 0;
  while (common < a.path.length && common < b.path.length && a.path[common] === b.path[common]) common++;
  return a.path.length - common + (b.path.length - common);
}
