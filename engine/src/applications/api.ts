/**
 * What the service centre offers, role by role. The HTTP layer maps routes onto these methods;
 * every method checks the actor's role and scope itself (department, region, own applications),
 * so no caller can forget to.
 */
import type { ItemOutput } from '../../../forms/src/bundle/index.js';
import type { MergeResult } from '../../../forms/src/merge/index.js';
import type { OutputValue } from '../bundles/outputs.js';
import type { BundleRecord, BundleSummary } from '../bundles/registry.js';
import type { Actor } from '../domain/actor.js';
import type { Text } from '../domain/errors.js';
import type { SignedLicence } from '../licences/index.js';
import type { LicenceDoc } from './licence-library.js';
import type { TimeLimitStatus } from './clock.js';
import type {
  Applicant,
  Application,
  ApplicationStatus,
  Evaluation,
  ItemCase,
  MaterialEntry,
  MaterialFile,
  NoticeEntry,
} from './types.js';

export interface Page<T> {
  items: T[];
  /** Pass as `after` to get the next page; absent on the last page. */
  next?: string;
}

export interface ApplicationFilter {
  status?: ApplicationStatus;
  bundleCode?: string;
  timeStatus?: TimeLimitStatus;
  limit?: number;
  after?: string;
}

export interface TaskFilter {
  department?: string;
  state?: 'waiting' | 'open' | 'claimed' | 'needs-supplement' | 'done';
  timeStatus?: TimeLimitStatus;
  limit?: number;
  after?: string;
}

/** A department's work item: one item of one application, as that department may see it. */
export interface DepartmentTask {
  id: string;
  applicationId: string;
  applicationNumber: string;
  bundleCode: string;
  item: string;
  itemName: Text;
  department: string;
  status: ItemCase['status'];
  /** Reviewing, but the process has not reached it yet: it cannot be decided until the items before it are. */
  waiting?: true;
  claimedBy?: string;
  createdAt: number;
  /**
   * The clock the department works against now: the open special step's own limit while one is
   * open (the item's clock waits meanwhile), else the item's.
   */
  deadline?: number;
  remainingWorkingDays?: number;
  timeStatus?: TimeLimitStatus;
  specialStep?: boolean;
  /** The special step (特殊环节) open on the item: its name, when it opened, its own limit in working days. */
  openSpecialStep?: { name: string; openedAt: number; limitDays: number };
  /** 远程流转: the concrete office deciding it, and the venue that received the case and hands the result over. */
  decidingDepartment?: string;
  acceptedVenue?: string;
  crossRegion?: boolean;
  /** Only the fields this department's items declare; sensitive values masked unless declared in full. */
  payload?: Record<string, unknown>;
  materials?: { id: string; name: Text; status: string }[];
  /** The results approving this item records (bundle.json `outputs`): the approval must give each. */
  outputs?: ItemOutput[];
  /** Results of earlier items this item needs (bundle.json `needs`), once those items are approved. */
  upstreamResults?: UpstreamResult[];
}

/** An earlier item's result as a later item's department sees it: only the outputs it needs. */
export interface UpstreamResult {
  item: string;
  itemName: Text;
  outputs: OutputValue[];
}

export interface MaterialInput {
  id: string;
  status: 'provided' | 'eLicence' | 'deferred' | 'commitment';
  licenceId?: string;
  /** The licence as presented from the applicant's wallet; verified instead of the library copy. */
  licence?: SignedLicence;
  uploadSha256?: string;
}

export interface CommitmentInput {
  kind: 'deferral' | 'proof' | 'licence';
  materials: string[];
  signer: string;
  /** The text the applicant signed; its SHA-256 is kept. */
  text: string;
}

export interface CentreApi {
  /** 差评 rectification deadline in working days; the rectification desk uses the same. */
  readonly rectificationDays: number;
  // bundles (analyst deploys/retires; everyone authenticated may read)
  deployBundle(actor: Actor, input: { bundle: unknown; xml: unknown }): Promise<BundleSummary>;
  listBundles(actor: Actor): Promise<BundleSummary[]>;
  getBundle(actor: Actor, code: string, version?: number): Promise<BundleRecord>;
  /** Withdraws every version: drafts on it are no longer submitted or accepted; accepted cases run on. */
  retireBundle(actor: Actor, code: string): Promise<BundleSummary[]>;
  unifiedForm(actor: Actor, code: string, answers: Record<string, unknown>): Promise<MergeResult>;

  // applications: clerk at the window (or the applicant online for their own)
  createApplication(
    actor: Actor,
    input: {
      bundleCode: string;
      answers: Record<string, unknown>;
      applicant: Applicant;
      data?: Record<string, unknown>;
      /** 帮办代办 (network/assisted.ts AssistedServiceSchema), recorded by window or station staff. */
      assisted?: unknown;
    },
  ): Promise<Application>;
  /** Edits a draft or returned case: answers, form data, and the applicant (checked as on creation). */
  updateApplication(
    actor: Actor,
    id: string,
    input: { answers?: Record<string, unknown>; data?: Record<string, unknown>; applicant?: Applicant },
  ): Promise<Application>;
  /** Refused (stateInvalid) on a bundle version withdrawn since the draft was made, as is accept. */
  submit(actor: Actor, id: string): Promise<Application>;
  /** Front-desk acceptance: completeness check of materials, 容缺 and 告知承诺 recorded, dispatch. */
  accept(
    actor: Actor,
    id: string,
    input: {
      materials: MaterialInput[];
      commitments?: CommitmentInput[];
      deferralDays?: number;
      /** Records or replaces the assisted service (e.g. the original power of attorney seen). */
      assisted?: unknown;
    },
  ): Promise<Application>;
  /** Before acceptance: one-time notice of everything to correct (补正). */
  returnForCorrection(actor: Actor, id: string, input: { entries: NoticeEntry[] }): Promise<Application>;
  /** Not accepted (不予受理), with the reason. */
  refuse(actor: Actor, id: string, input: { reason: string }): Promise<Application>;
  /** Consolidate every pending department supplement request into one notice. */
  issueNotice(actor: Actor, id: string): Promise<Application>;
  /** Applicant's supplement: corrected data, supplied (incl. deferred) materials. */
  supplement(
    actor: Actor,
    id: string,
    input: { data?: Record<string, unknown>; materials?: MaterialInput[] },
  ): Promise<Application>;
  /**
   * 出件: every result left once all items are decided, closing the case. With `items`, 分批出件:
   * only those (decided, not handed over before), while other items may still be open; the
   * batch that hands over the last of them closes the case.
   */
  deliver(
    actor: Actor,
    id: string,
    input: { channel: 'window' | 'post' | 'electronic'; items?: string[] },
  ): Promise<Application>;
  evaluate(
    actor: Actor,
    id: string,
    input: {
      channel: Evaluation['channel'];
      level: number;
      indicators?: Record<string, number>;
      comment?: string;
    },
  ): Promise<Application>;
  getApplication(actor: Actor, id: string): Promise<Application>;
  /**
   * Records the checked upload of one material's file (clerk; the applicant on their own case
   * while it is theirs to change). The same content again changes nothing.
   */
  attachMaterialFile(
    actor: Actor,
    id: string,
    materialId: string,
    file: Omit<MaterialFile, 'uploadedAt' | 'uploadedBy'>,
  ): Promise<MaterialEntry>;
  listApplications(actor: Actor, filter: ApplicationFilter): Promise<Page<Application>>;

  // department inbox
  listTasks(actor: Actor, filter: TaskFilter): Promise<Page<DepartmentTask>>;
  getTask(actor: Actor, id: string): Promise<DepartmentTask>;
  claim(actor: Actor, taskId: string): Promise<DepartmentTask>;
  /**
   * Approve; with `licence` the result is issued as a signed e-licence held by the applicant. An
   * item declaring outputs needs each of them (by key), checked against its declaration.
   */
  approve(
    actor: Actor,
    taskId: string,
    input: {
      resultNumber?: string;
      outputs?: Record<string, string>;
      licence?: { typeCode: string; validTo?: string; holderId?: string };
      comment?: string;
    },
  ): Promise<DepartmentTask>;
  reject(actor: Actor, taskId: string, input: { reason: string }): Promise<DepartmentTask>;
  requestSupplement(actor: Actor, taskId: string, input: { entries: NoticeEntry[] }): Promise<DepartmentTask>;
  /** The department takes back its unanswered requests on the item (the applicant can no longer answer them). */
  withdrawSupplementRequest(actor: Actor, taskId: string): Promise<DepartmentTask>;
  /** 告知承诺 post-check result; `false` revokes the approval. */
  recordPostCheck(
    actor: Actor,
    taskId: string,
    input: { result: 'confirmed' | 'false' | 'unverifiable' },
  ): Promise<DepartmentTask>;

  // e-licences: the clerk's picker and verification at the window; applicants see their own
  listLicences(actor: Actor, holderId: string): Promise<LicenceDoc[]>;

  /** Periodic: deferred materials overdue, time-limit colours, rectification deadlines. */
  sweep(now?: number): Promise<{ terminated: number; recoloured: number }>;
}
