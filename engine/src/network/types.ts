/**
 * The service network (服务网络) of one deployment: the four levels of regions with their
 * administrative-division codes, the departments at each level, the venues where applications
 * are received (进驻事项清单, windows), and each item's implementation elements that matter for
 * routing and the public guide (decided at which level, by whose jurisdiction, fees, conditions).
 *
 * The file (`NetworkFile`) is what a deployment writes and replaces; `ServiceNetwork` is the
 * checked, indexed form every function here takes.
 */
import type { Text } from '../domain/errors.js';

/** 市 → 区 (and 功能区 managed like a district) → 镇/街道 → 村/社区. */
export type Level = 'city' | 'district' | 'town' | 'village';

export const LEVELS: readonly Level[] = ['city', 'district', 'town', 'village'];

export const LEVEL_NAMES: Record<Level, Text> = {
  city: { zh: '市级', en: 'city' },
  district: { zh: '区级', en: 'district' },
  town: { zh: '镇（街道）级', en: 'town / street' },
  village: { zh: '村（社区）级', en: 'village / community' },
};

/** What kind of division a region is; `zone` is a function zone (功能区, 管委会) at district level. */
export type RegionKind = 'city' | 'district' | 'zone' | 'town' | 'street' | 'village' | 'community';

export const LEVEL_OF_KIND: Record<RegionKind, Level> = {
  city: 'city',
  district: 'district',
  zone: 'district',
  town: 'town',
  street: 'town',
  village: 'village',
  community: 'village',
};

export interface RegionDef {
  /** Administrative-division code: 6 digits down to district, 9 for towns, 12 for villages. */
  code: string;
  name: Text;
  kind: RegionKind;
  /** Absent only for the root (the city). */
  parent?: string;
  /** The code is made up for the example or not an official statistical code. */
  illustrative?: boolean;
}

export interface DepartmentDef {
  /** Unique in the network, e.g. `440402-market-regulation`. */
  id: string;
  /** Functional code as bundles name it (bundle.json `departments[].code`, gov:department). */
  code: string;
  name: Text;
  /** The region whose authority it is; its level is the region's level. */
  region: string;
  /** Further regions it has jurisdiction over at its level (e.g. a function zone without its own office). */
  covers?: string[];
  /** The venue where it is stationed (进驻) and hands results back, when not the region's main centre. */
  stationedAt?: string;
}

export type VenueKind = 'centre' | 'branch' | 'town-centre' | 'village-station' | 'self-service';

export const VENUE_KIND_NAMES: Record<VenueKind, Text> = {
  centre: { zh: '政务服务中心', en: 'government service centre' },
  branch: { zh: '政务服务分中心', en: 'branch centre' },
  'town-centre': { zh: '便民服务中心', en: 'town service centre' },
  'village-station': { zh: '便民服务站', en: 'village service station' },
  'self-service': { zh: '自助服务点', en: 'self-service point' },
};

/** A queue / window category (取号类别): tickets and appointments are per window type. */
export interface WindowTypeDef {
  code: string;
  name: Text;
  /** 无差别综合窗口, 分领域综合窗口, or another counter (出件, 办不成事反映). */
  kind: 'comprehensive' | 'field' | 'other';
  /** Ticket number prefix, e.g. `A` → A001. */
  prefix: string;
}

export interface WindowDef {
  /** Window number shown above the counter, unique in the venue (e.g. `A01`). */
  id: string;
  type: string;
  /** Other window types this window also calls when its own queue is empty. */
  serves?: string[];
}

export interface OpeningHours {
  /** Sessions of a working day, `HH:MM` in China Standard Time. */
  sessions: { from: string; to: string }[];
}

export interface AppointmentSettings {
  slotMinutes: number;
  /** Bookings per window per slot; a slot's capacity is this × the windows of its type. */
  perWindow: number;
  /** Fixed capacity per window type, overriding perWindow × windows. */
  capacity?: Record<string, number>;
  /** How many working days ahead slots open. */
  horizonDays: number;
  /** Arrival from this many minutes before the slot keeps appointment priority… */
  earlyMinutes: number;
  /** …and until this many minutes after the slot's end. */
  lateMinutes: number;
  /** Bookings refused after this many no-shows in the last `noShowDays` days. */
  noShowLimit: number;
  noShowDays: number;
}

export interface AcceptanceList {
  /** Bundles the venue accepts whole; `*` for every bundle. */
  bundles?: string[] | '*';
  /** Single items it accepts (nearby service: items delegated to towns and villages). */
  items?: string[];
}

export interface VenueDef {
  id: string;
  name: Text;
  kind: VenueKind;
  region: string;
  address?: Text;
  phone?: string;
  /** 进驻事项清单: what the venue may accept. */
  accepts: AcceptanceList;
  /** Receive and scan only; everything is decided elsewhere (typical for village stations). */
  receiveOnly?: boolean;
  windows: WindowDef[];
  hours?: OpeningHours;
  /** Appointments are offered at this venue (default: when it has windows). */
  appointments?: boolean | Partial<AppointmentSettings>;
}

export type JurisdictionBasis = 'household' | 'residence' | 'premises' | 'registered-address' | 'any';

export const JURISDICTION_NAMES: Record<JurisdictionBasis, Text> = {
  household: { zh: '户籍所在地', en: 'household registration' },
  residence: { zh: '经常居住地', en: 'place of residence' },
  premises: { zh: '经营场所所在地', en: 'business premises' },
  'registered-address': { zh: '登记住所所在地', en: 'registered address' },
  any: { zh: '全市通办', en: 'anywhere in the city' },
};

export interface Fee {
  /** Free of charge (most items). */
  free: boolean;
  /** Amount in yuan, or a rule in words when it varies. */
  amount?: number;
  rule?: Text;
  basis?: Text;
}

/** One item's implementation elements in this deployment (实施清单 entries that routing and guides need). */
export interface ItemImplementation {
  code: string;
  /** Functional department code, as in bundle.json. */
  department: string;
  /** The level whose department decides (委托 to towns moves it down). */
  level: Level;
  jurisdiction: JurisdictionBasis;
  /** 受理条件 in words. */
  conditions?: Text[];
  fee?: Fee;
  /** 法定办结时限, working days. */
  legalDays?: number;
  /** 跨域通办: may be received in any region and decided by the competent one. */
  crossRegion?: boolean;
}

export interface NetworkSettings {
  /** Level for items the file does not list. */
  defaultItemLevel: Level;
  /** 绿色通道: applicants this old (from the resident ID) get priority tickets. */
  elderlyAge: number;
  appointments: AppointmentSettings;
  hours: OpeningHours;
}

export interface NetworkFile {
  $schema?: string;
  $comment?: string;
  /** Deployment version label, shown in guides. */
  version: string;
  settings?: Partial<Omit<NetworkSettings, 'appointments'>> & { appointments?: Partial<AppointmentSettings> };
  windowTypes: WindowTypeDef[];
  regions: RegionDef[];
  departments: DepartmentDef[];
  venues: VenueDef[];
  items?: ItemImplementation[];
}

export interface Region extends RegionDef {
  level: Level;
  /** Codes from the root down to this region, itself included. */
  path: string[];
}

export interface Department extends DepartmentDef {
  level: Level;
}

export interface Venue extends VenueDef {
  level: Level;
}

/** A checked network with lookups; build it with `loadNetwork`. */
export interface ServiceNetwork {
  version: string;
  settings: NetworkSettings;
  root: Region;
  regions: ReadonlyMap<string, Region>;
  departments: ReadonlyMap<string, Department>;
  venues: ReadonlyMap<string, Venue>;
  windowTypes: ReadonlyMap<string, WindowTypeDef>;
  items: ReadonlyMap<string, ItemImplementation>;
  /** Direct children of each region code. */
  children: ReadonlyMap<string, readonly Region[]>;
}
