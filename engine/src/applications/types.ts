/**
 * One application (办件): the case a citizen or company opens once at one window. It holds the
 * unified form data and materials, one sub-case per bundled item, every notice and every
 * decision. The BPMN instance (businessKey = application id) drives the order of work; this
 * record holds what the service centre must show and prove.
 */
import type { OutputValue } from '../bundles/outputs.js';
import type { Doc } from '../domain/docs.js';
import type { Text } from '../domain/errors.js';
import type { AssistedRecord } from '../network/assisted.js';
import type { TimeLimitStatus } from './clock.js';

export type ApplicationStatus =
  /** Being filled at the window or online. */
  | 'draft'
  /** Handed in; waiting for the front-desk completeness check. */
  | 'submitted'
  /** Not accepted yet: a one-time notice lists everything to correct (补正). */
  | 'returned'
  /** Not accepted (不予受理), with a reason. */
  | 'refused'
  /** Accepted and dispatched: departments are working. */
  | 'in-progress'
  /** A consolidated one-time notice after acceptance waits for the applicant; the clock is paused. */
  | 'awaiting-supplement'
  /** Every item decided; results wait at the window. */
  | 'results-ready'
  | 'delivered'
  | 'evaluated'
  /** Ended before a result: deferred material overdue (终止办理), or withdrawn. */
  | 'terminated';

/** Every status, once, in the order of a case's life (the API's enum, the metrics' labels). */
const EVERY_STATUS: Record<ApplicationStatus, true> = {
  draft: true,
  submitted: true,
  returned: true,
  refused: true,
  'in-progress': true,
  'awaiting-supplement': true,
  'results-ready': true,
  delivered: true,
  evaluated: true,
  terminated: true,
};
export const APPLICATION_STATUSES = Object.keys(EVERY_STATUS) as readonly ApplicationStatus[];

export type ItemStatus =
  | 'reviewing'
  | 'needs-supplement'
  | 'approved'
  | 'rejected'
  /** A decision taken back: deferred material never came, or a commitment proved false (撤销). */
  | 'revoked'
  | 'terminated';

export interface Applicant {
  kind: 'person' | 'organisation';
  name: string;
  /** Resident ID number or unified social credit code. Sensitive: masked for most readers. */
  idNumber: string;
  phone?: string;
  /** The applicant's own account, when they applied online or claimed the case. */
  userId?: string;
}

export interface Commitment {
  id: string;
  kind: 'deferral' | 'proof' | 'licence';
  materials: string[];
  signer: string;
  signedAt: number;
  /** SHA-256 of the commitment text the applicant signed. */
  textHash: string;
}

export type MaterialStatus = 'provided' | 'eLicence' | 'deferred' | 'commitment' | 'missing' | 'notRequired';

export interface MaterialEntry {
  id: string;
  name: Text;
  required: boolean;
  items: string[];
  status: MaterialStatus;
  /** 容缺 allowed (every item it serves allows it), 告知承诺 allowed, e-licence type that replaces it. */
  deferrable: boolean;
  commitment: boolean;
  eLicenceType?: string;
  licenceId?: string;
  uploadSha256?: string;
  /** The file uploaded for it (PUT …/materials/:materialId/file): checked, content-addressed, never the bytes. */
  file?: MaterialFile;
  commitmentId?: string;
  /** 容缺: when the deferred material is due and what became of it. */
  deferral?: { dueAt: number; status: 'pending' | 'supplied' | 'overdue'; suppliedAt?: number };
}

/** A material's uploaded file: what the content really is (detected, not the name's claim) and where it is kept. */
export interface MaterialFile {
  sha256: string;
  size: number;
  /** Detected from the content (magic numbers). */
  mime: string;
  /** Content address in the upload store (`uploads/<2 hex>/<sha256>.<ext>`). */
  path: string;
  /** The name it was uploaded under, for the download's Content-Disposition. */
  name: string;
  uploadedAt: number;
  uploadedBy: string;
}

export interface NoticeEntry {
  item?: string;
  department?: string;
  materialId?: string;
  fieldId?: string;
  problem: string;
  requirement?: string;
}

export interface SupplementRequest {
  id: string;
  item: string;
  department: string;
  by: string;
  at: number;
  entries: NoticeEntry[];
  noticeId?: string;
  /** Answered: the applicant supplied every entry. */
  resolvedAt?: number;
  /** Taken back unanswered (撤回) by its department, or because its item ended: never answered. */
  withdrawnAt?: number;
  withdrawnBy?: string;
}

export interface Notice {
  id: string;
  /** Before acceptance (补正 at the window) or consolidated from departments after acceptance. */
  kind: 'pre-acceptance' | 'supplement';
  number: number;
  issuedAt: number;
  issuedBy: string;
  entries: NoticeEntry[];
  dueAt?: number;
  /** Answered: the applicant supplied what it asked (before acceptance: the case was resubmitted). */
  resolvedAt?: number;
  /** Every request it carried was withdrawn unanswered (撤回): it waits no more, but was not answered. */
  withdrawnAt?: number;
}

export interface ItemCase {
  item: string;
  name: Text;
  department: string;
  status: ItemStatus;
  /** The BPMN user task currently open for this item, if any. */
  taskId?: string;
  /** The item's own clock: when its task first opened and its limit (gov:timeLimit or the item's promised days). */
  startedAt?: number;
  limitDays: number;
  specialStep?: boolean;
  /** The special steps (特殊环节) the item went through or is in, oldest first: each with its own limit. */
  specialSteps?: SpecialStep[];
  timeStatus?: TimeLimitStatus;
  claimedBy?: string;
  decidedAt?: number;
  decidedBy?: string;
  resultNumber?: string;
  /** Results recorded on approval (bundle.json `outputs`: credit code, certificate number), labelled. */
  outputs?: OutputValue[];
  licenceId?: string;
  reason?: string;
  /** 属地: the concrete department, region and venue that decide this item (service network). */
  decidingDepartment?: string;
  /** The deciding department's own region: department users of that region see the item (scope.ts). */
  decidingDepartmentRegion?: string;
  decidingRegion?: string;
  decidingVenue?: string;
  crossRegion?: boolean;
  /** 告知承诺 post-check after an approval on commitment. */
  postCheck?: { dueAt: number; result?: 'confirmed' | 'false' | 'unverifiable'; at?: number; by?: string };
}

/**
 * A special step (特殊环节: hearing, inspection, testing, expert review, site survey…) of an item:
 * its days count toward neither the item's nor the case's limit, but it has a limit of its own
 * (GOV-SERVICES 2.12), counted on the deciding office's calendar from when it opened.
 */
export interface SpecialStep {
  /** The engine's task and its BPMN element. */
  taskId: string;
  elementId: string;
  /** The task's name, as the applicant's notice gives it. */
  name: string;
  openedAt: number;
  /** gov:timeLimit of the task, in working days. */
  limitDays: number;
  /** The colour last recorded for its own limit (a crossing into yellow or red is recorded once). */
  timeStatus?: TimeLimitStatus;
  endedAt?: number;
}

export interface Pause {
  from: number;
  to?: number;
  reason: 'supplement' | 'special-step';
  /**
   * A supplement notice's pause: the items whose requests the notice carries. Only their
   * departments' clocks stop (and the case's); the others run on. Absent on pauses recorded
   * before: those stop every item's clock.
   */
  items?: string[];
}

export interface Evaluation {
  channel: 'window' | 'web' | 'app' | 'sms' | 'qr' | 'kiosk' | 'hotline';
  level: 1 | 2 | 3 | 4 | 5;
  indicators?: Record<string, number>;
  comment?: string;
  at: number;
  by: string;
  /** 差评 (levels 1–2) opens a rectification case with a deadline (rectification.ts keeps its status here). */
  rectification?: {
    dueAt: number;
    status: 'assigned' | 'verifying' | 'rectifying' | 'explained' | 'appealed' | 'fedBack' | 'closed';
    caseId?: string;
  };
}

export type DeliveryChannel = 'window' | 'post' | 'electronic';

/** One handover of results at the window, by post or electronically: which items, how, when, by whom. */
export interface DeliveryBatch {
  /** 1, 2, …: the number printed on its receipt. */
  batch: number;
  items: string[];
  channel: DeliveryChannel;
  by: string;
  at: number;
  /** Where the window handed them over (the venue that received the case). */
  venue?: string;
}

export interface TimelineEntry {
  at: number;
  type: string;
  by: { userId: string; role: string; department?: string };
  data?: Record<string, unknown>;
}

export interface Application extends Doc {
  /** Case number printed on the receipt (受理编号). */
  number: string;
  bundleCode: string;
  bundleVersion: number;
  processId: string;
  instanceId?: string;
  status: ApplicationStatus;
  applicant: Applicant;
  answers: Record<string, unknown>;
  data: Record<string, unknown>;
  items: ItemCase[];
  materials: MaterialEntry[];
  commitments: Commitment[];
  requests: SupplementRequest[];
  notices: Notice[];
  pauses: Pause[];
  evaluations: Evaluation[];
  /** 帮办代办: made by an agent or assisted-service staff for the applicant, with who, where and the authorisation. */
  assisted?: AssistedRecord;
  /** 首问负责: the first clerk who handled the case owns it. */
  owner?: string;
  venue?: string;
  /** Where it was received (就近受理) and where results are handed over. */
  acceptedVenue?: string;
  /** District code (6 digits) where it was accepted, and its city (4 digits + "00"), for scoping. */
  region?: string;
  city?: string;
  /** applicant.userId, top level so list queries can filter on it. */
  applicantUserId?: string;
  /** Departments with an item in the case: kept flat so inbox and scoping queries can index it. */
  departments: string[];
  createdAt: number;
  submittedAt?: number;
  acceptedAt?: number;
  /** Promised completion (承诺时限) in working days from acceptance, moved by pauses. */
  promisedDays: number;
  deadline?: number;
  timeStatus?: TimeLimitStatus;
  deliveredAt?: number;
  /** The final delivery (出件) that closed the case. */
  delivery?: { channel: DeliveryChannel; by: string; at: number; venue?: string };
  /**
   * Every handover of results, oldest first: 分批出件 batches while other items were still open,
   * then the final delivery of what was left. Each item is in at most one. Absent on cases
   * delivered before batches were recorded.
   */
  deliveries?: DeliveryBatch[];
  endedAt?: number;
  endReason?: string;
  timeline: TimelineEntry[];
}
