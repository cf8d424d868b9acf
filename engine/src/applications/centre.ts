/**
 * The service centre: one application's life from the window to the departments and back.
 * Each command loads the application, checks the actor, changes a copy, and saves it with
 * compare-and-set; the BPMN instance is driven through the engine; the department inbox is a
 * projection rebuilt from the application on every save.
 */
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { mergeBundle, type MergeResult } from '../../../forms/src/merge/index.js';
import { licenceContentFor } from '../../../forms/src/licences/index.js';
import { maskText, projectPayload } from '../../../forms/src/project/index.js';
import { compileForm } from '../../../forms/src/merge/index.js';
import {
  BundleRegistry,
  CACHED_BUNDLES,
  WINDOW,
  type BundleRecord,
  type BundleSummary,
  summarise,
} from '../bundles/registry.js';
import { checkOutputs, outputRecord } from '../bundles/outputs.js';
import type { Actor } from '../domain/actor.js';
import {
  DocConflictError,
  encodeCursor,
  readPages,
  writeAll,
  type DocQuery,
  type DocStore,
  type DocWrite,
} from '../domain/docs.js';
import { t, DomainError, forbidden, notFound, stateInvalid } from '../domain/errors.js';
import { faultPoint } from '../http/faults.js';
import type { CompleteOptions, InstanceView } from '../api.js';
import { jsonCopy } from '../copy.js';
import { CommandError, type Engine, type Task } from '../index.js';
import { canonicalJson } from '../audit/canonical.js';
import type {
  ApplicationFilter,
  CentreApi,
  CommitmentInput,
  DepartmentTask,
  MaterialInput,
  Page,
  TaskFilter,
} from './api.js';
import type { TimeLimits } from './clock.js';
import type { IsWorkingDay } from './aggregates.js';
import { CASE_FIGURES, caseFiguresOf, projectCaseFigures, workingDaysOf } from './case-figures.js';
import { SWEPT_STATES, stampSweepAt, sweepHasWork } from './sweep-due.js';
import type { ServiceNetwork } from '../network/index.js';
import { generateIssuerKey } from '../licences/index.js';
import { scrubText } from '../security/scrub.js';
import {
  creditCodeOutput,
  cstDate,
  licenceError,
  LicenceLibrary,
  maskedLicence,
  sealedLicenceKeys,
  type LicenceDoc,
  type LicenceKeys,
} from './licence-library.js';
import {
  canSee,
  deciderRegionOf,
  decides,
  itemsDecidedBy,
  listScope,
  agentListScope,
  stampAgentUserId,
  requireRole,
  taskScope,
  taskScopeFields,
  visible,
} from './scope.js';
import {
  checkApplicant,
  checkEntries,
  expectApplicantAge,
  expectItem,
  expectReached,
  expectStatus,
  requireText,
} from './case-checks.js';
import { applyMerge, checkForm, requireItems } from './case-form.js';
import { CommittedRows, notReached, sameRow, splitTaskId, taskIdOf, type TaskDoc } from './inbox-rows.js';
import { taskView, withOutputs } from './task-view.js';
import {
  answerNotice,
  applyMaterials,
  commitmentLetters,
  lettersSignedAtWindow,
  expectAnswerableEntries,
  expectOwnEntries,
  expectAskedFor,
  expectUndecidedFields,
  openNotice,
  owed,
  signedCommitment,
  unanswered,
  withdrawRequests,
} from './materials.js';
import { checkAssisted, recordAssisted } from './assisted-service.js';
import {
  batchItems,
  batchShows,
  deliveriesFor,
  expectNothingOwed,
  recordBatch,
  undelivered,
} from './batch-delivery.js';
import { closePauses, limitState, recolour, workingClock } from './case-clock.js';
import { beginSpecialStep, endSpecialSteps } from './special-steps.js';
import {
  applicantView,
  assistedSummary,
  formForItems,
  maskAgent,
  maskDeliveryResults,
  maskEntryOutputs,
  maskFileNames,
  maskItemOutputs,
  maskSensitive,
  outputMask,
} from './masking.js';
import { record, SYSTEM } from './timeline.js';
import { checkHandoverVenue, route, stampClerk } from './venues.js';
import type {
  Applicant,
  Application,
  ApplicationStatus,
  DeliveryChannel,
  Evaluation,
  ItemCase,
  MaterialEntry,
  MaterialFile,
  NoticeEntry,
  TimelineEntry,
} from './types.js';

/**
 * While a case's material files may still change: the clerk until results are out, the applicant
 * while it is in their hands; after that, both only for a 容缺 material still owed (attachMaterialFile).
 */
export const MATERIAL_FILE_STATUSES: Record<'clerk' | 'applicant', ApplicationStatus[]> = {
  clerk: ['draft', 'submitted', 'returned', 'in-progress', 'awaiting-supplement', 'results-ready'],
  applicant: ['draft', 'returned', 'in-progress', 'awaiting-supplement', 'results-ready'],
};

export const APPLICATIONS = 'applications';
/** Working days to rectify a bad review (national practice): one setting for the Centre and the rectification desk. */
export const DEFAULT_RECTIFICATION_DAYS = 15;
export const DEPARTMENT_TASKS = 'departmentTasks';

/** Where the Centre reports what it could not undo: pino's logger (server.ts) fits. */
export interface CentreLogger {
  warn(obj: Record<string, unknown>, msg: string): void;
}

export interface CentreOptions {
  engine: Engine;
  docs: DocStore;
  timeLimits: TimeLimits;
  clock?: () => number;
  newId?: () => string;
  /** 容缺: working days to supply a deferred material when the clerk gives none. */
  defaultDeferralDays?: number;
  /** 告知承诺 post-check period in working days after an approval on commitment. */
  postCheckDays?: number;
  /** 差评 rectification deadline in working days. */
  rectificationDays?: number;
  /** Signing key for e-licences issued here and the issuers trusted at acceptance. */
  licenceKeys?: LicenceKeys;
  /** The service network: where a case may be received and which department decides each item (属地). */
  network?: ServiceNetwork;
  /** Told of every undo step that failed (compensate), so an operator can finish it by hand. */
  logger?: CentreLogger;
  /**
   * How often the sweep reads every open case instead of those due by their `sweepAt`
   * (sweep-due.ts): what a save could not foresee (a calendar changed since, a case from an older
   * version) waits at most this long. Default 10 minutes.
   */
  fullSweepEveryMs?: number;
}

/** A key for this process only: licences it signs verify here until the process ends (tests, demos). */
export function ephemeralLicenceKeys(): LicenceKeys {
  const key = generateIssuerKey('centre-ephemeral');
  return { issuer: key, trusted: new Map([[key.keyId, key.publicKey]]) };
}

const MAX_RETRIES = 5;
/** Process instances one case may start (each acceptance that failed after starting one used one). */
const MAX_CASE_INSTANCES = 20;
/** Merged forms remembered per bundle version (distinct situation answers; see Centre.merged). */
const CACHED_MERGES = 200;
/** A FEEL condition that reads the clock: its merge may change from one call to the next. */
const CLOCK_CALL = /\b(?:now|today)\s*\(/;
const OPEN_STATES: ApplicationStatus[] = [...SWEPT_STATES];
/** What the sweep reads of an open case to find its work (sweepHasWork): its clocks and 容缺 materials. */
const SWEEP_FIELDS = [
  'sweepAt',
  'status',
  'acceptedAt',
  'promisedDays',
  'pauses',
  'region',
  'timeStatus',
  'items',
  'materials',
] as const satisfies readonly (keyof Application | 'sweepAt')[];

const decisionVariable = (item: string) => `decision_${item.replace(/[^A-Za-z0-9]/g, '_')}`;

export class Centre implements CentreApi {
  readonly bundles: BundleRegistry;
  readonly licences: LicenceLibrary;
  private readonly engine: Engine;
  private readonly docs: DocStore;
  private readonly limits: TimeLimits;
  /** Working days as `limits` counts them: the supervisor figures' days (case-figures.ts). */
  private readonly isWorkingDay: IsWorkingDay;
  private readonly network: ServiceNetwork | undefined;
  private readonly logger: CentreLogger | undefined;
  private readonly clock: () => number;
  private readonly newId: () => string;
  /** When the sweep last read every open case, and how often it does (see sweep). */
  private lastFullSweep = -Infinity;
  private readonly fullSweepEveryMs: number;
  /** Bundle versions read before (see bundleVersion). */
  private readonly bundleVersions = new Map<string, BundleRecord>();
  /** Inbox rows as this process committed them with their case (changedTaskRows compares against them). */
  private readonly committedRows = new CommittedRows();
  private readonly options: Required<
    Pick<CentreOptions, 'defaultDeferralDays' | 'postCheckDays' | 'rectificationDays'>
  >;

  constructor(options: CentreOptions) {
    this.engine = options.engine;
    this.docs = options.docs;
    this.limits = options.timeLimits;
    this.isWorkingDay = workingDaysOf(this.limits);
    this.network = options.network;
    this.logger = options.logger;
    this.fullSweepEveryMs = options.fullSweepEveryMs ?? 10 * 60_000;
    this.clock = options.clock ?? Date.now;
    this.newId = options.newId ?? randomUUID;
    this.bundles = new BundleRegistry(this.engine, this.docs, this.clock);
    this.licences = new LicenceLibrary(this.docs, options.licenceKeys ?? ephemeralLicenceKeys());
    this.options = {
      defaultDeferralDays: options.defaultDeferralDays ?? 10,
      postCheckDays: options.postCheckDays ?? 20,
      rectificationDays: options.rectificationDays ?? DEFAULT_RECTIFICATION_DAYS,
    };
  }

  /** 差评 rectification deadline in working days: the rectification desk takes the same (http/app.ts). */
  get rectificationDays(): number {
    return this.options.rectificationDays;
  }

  // ── bundles ───────────────────────────────────────────────────────────────────────────

  async deployBundle(actor: Actor, input: { bundle: unknown; xml: unknown }): Promise<BundleSummary> {
    requireRole(actor, 'analyst');
    return summarise(await this.bundles.deploy(actor, input));
  }

  async listBundles(_actor: Actor): Promise<BundleSummary[]> {
    return this.bundles.list();
  }

  async getBundle(_actor: Actor, code: string, version?: number): Promise<BundleRecord> {
    return this.bundles.get(code, version);
  }

  async retireBundle(actor: Actor, code: string): Promise<BundleSummary[]> {
    requireRole(actor, 'analyst');
    return this.bundles.retire(code);
  }

  async unifiedForm(_actor: Actor, code: string, answers: Record<string, unknown>): Promise<MergeResult> {
    const bundle = await this.activeBundle(code);
    return mergeBundle(bundle.definition, answers ?? {});
  }

  /** The newest active version of a bundle (the registry re-reads it only when its versions changed). */
  private async activeBundle(code: string): Promise<BundleRecord> {
    const record = await this.bundles.latest(code);
    if (!record) throw notFound(t(`可受理的事项包 ${code}`, `an active bundle ${code}`));
    return record;
  }

  /** Merges by definition (the record object read, so a re-read bundle starts afresh), then by answers. */
  private readonly merges = new WeakMap<BundleRecord['definition'], Map<string, MergeResult> | false>();

  /**
   * mergeBundle, remembered: a merge is a pure function of the definition and the situation
   * answers (FEEL conditions over them; ~5% of a start's CPU), and a bundle's applicants give a
   * handful of distinct answer sets. A definition whose conditions could read the clock (now(),
   * today()) is merged afresh each time. What it returns is shared: callers copy what they keep.
   */
  private merged(bundle: BundleRecord, answers: Record<string, unknown>): MergeResult {
    const definition = bundle.definition;
    let byAnswers = this.merges.get(definition);
    if (byAnswers === undefined) {
      byAnswers = CLOCK_CALL.test(JSON.stringify(definition)) ? false : new Map();
      this.merges.set(definition, byAnswers);
    }
    if (byAnswers === false) return mergeBundle(definition, answers);
    const key = canonicalJson(answers);
    let result = byAnswers.get(key);
    if (!result) {
      if (byAnswers.size >= CACHED_MERGES) byAnswers.clear();
      byAnswers.set(key, (result = mergeBundle(definition, answers)));
    }
    return result;
  }

  /** A bundle version for its definition, which never changes once deployed (only its status does). */
  private async bundleVersion(code: string, version: number): Promise<BundleRecord> {
    const key = `${code}@${version}`;
    const known = this.bundleVersions.get(key);
    if (known) return known;
    const record = await this.bundles.get(code, version);
    if (this.bundleVersions.size >= CACHED_BUNDLES) this.bundleVersions.clear();
    this.bundleVersions.set(key, record);
    return record;
  }

  /**
   * A case is submitted and accepted only on a bundle version still taken in: a withdrawn
   * (retired) one is not, whatever the draft's age. The draft does not move to a newer version
   * (its answers, form and materials were checked against its own): the clerk starts a new
   * application on the current one.
   */
  private async expectTakenIn(app: Application): Promise<void> {
    if (!(await this.bundles.isRetired(app.bundleCode, app.bundleVersion))) return;
    const current = await this.bundles.latest(app.bundleCode);
    throw bundleWithdrawn(app, current?.version);
  }

  // ── front desk ────────────────────────────────────────────────────────────────────────

  async createApplication(
    actor: Actor,
    input: {
      bundleCode: string;
      answers: Record<string, unknown>;
      applicant: Applicant;
      data?: Record<string, unknown>;
      /** 帮办代办 (network/assisted.ts), recorded by window or service-station staff. */
      assisted?: unknown;
    },
  ): Promise<Application> {
    requireRole(actor, 'clerk', 'applicant');
    const bundle = await this.activeBundle(input.bundleCode);
    const applicant = checkApplicant(input.applicant);
    if (actor.role === 'applicant') applicant.userId = actor.userId;
    const now = this.clock();
    expectApplicantAge(bundle.definition, applicant, now);
    const id = this.newId();
    const app: Application = {
      id,
      rev: 0,
      number: caseNumber(bundle.code, now, id),
      bundleCode: bundle.code,
      bundleVersion: bundle.version,
      processId: bundle.processId,
      status: 'draft',
      applicant,
      ...(applicant.userId ? { applicantUserId: applicant.userId } : {}),
      answers: { ...(input.answers ?? {}) },
      data: {},
      items: [],
      materials: [],
      commitments: [],
      requests: [],
      notices: [],
      pauses: [],
      evaluations: [],
      departments: [],
      promisedDays: bundle.definition.promisedDays,
      createdAt: now,
      timeline: [],
    };
    if (actor.role === 'clerk') stampClerk(app, actor);
    this.applyAnswers(app, bundle, input.answers ?? {}, input.data ?? {});
    record(app, actor, now, 'created');
    if (input.assisted !== undefined) recordAssisted(this.network, app, actor, input.assisted, now);
    return this.forReader(actor, await this.save(app, 0));
  }

  async updateApplication(
    actor: Actor,
    id: string,
    input: { answers?: Record<string, unknown>; data?: Record<string, unknown>; applicant?: Applicant },
  ): Promise<Application> {
    requireRole(actor, 'clerk', 'applicant');
    // Checked as on creation: a corrected ID number is kept, never dropped.
    const corrected = input.applicant === undefined ? undefined : checkApplicant(input.applicant);
    return this.command(actor, id, async (app) => {
      expectStatus(app, ['draft', 'returned']);
      const bundle = await this.bundleVersion(app.bundleCode, app.bundleVersion);
      const dropped = this.applyAnswers(app, bundle, input.answers ?? app.answers, {
        ...app.data,
        ...(input.data ?? {}),
      });
      if (corrected) app.applicant = withOwner(corrected, app.applicant.userId);
      expectApplicantAge(bundle.definition, app.applicant, this.clock());
      const details = { ...(dropped.length ? { dropped } : {}), ...(corrected ? { applicant: true } : {}) };
      record(app, actor, this.clock(), 'updated', Object.keys(details).length ? details : undefined);
    });
  }

  async submit(actor: Actor, id: string): Promise<Application> {
    requireRole(actor, 'clerk', 'applicant');
    return this.command(actor, id, async (app) => {
      expectStatus(app, ['draft', 'returned']);
      await this.expectTakenIn(app);
      const bundle = await this.bundleVersion(app.bundleCode, app.bundleVersion);
      checkForm(app, bundle);
      expectApplicantAge(bundle.definition, app.applicant, this.clock());
      const reopened = app.status === 'returned';
      if (reopened) resolveOpenNotices(app, this.clock());
      app.status = 'submitted';
      app.submittedAt = this.clock();
      record(app, actor, this.clock(), reopened ? 'resubmitted' : 'submitted');
    });
  }

  async accept(
    actor: Actor,
    id: string,
    input: {
      materials: MaterialInput[];
      commitments?: CommitmentInput[];
      deferralDays?: number;
      assisted?: unknown;
    },
  ): Promise<Application> {
    requireRole(actor, 'clerk');
    const now = this.clock();
    // The instance an attempt started: cancelled if the acceptance fails after all (a refusal or a
    // return saved first), so no process runs for a case that was never accepted.
    let started: string | undefined;
    let accepted: Application;
    try {
      accepted = await this.mutate(actor, id, async (app) => {
        expectStatus(app, ['submitted', 'draft']);
        await this.expectTakenIn(app);
        const bundle = await this.bundleVersion(app.bundleCode, app.bundleVersion);
        requireItems(this.merged(bundle, app.answers));
        checkForm(app, bundle);
        // Checked again: the applicant may have reached the retirement age since submitting.
        expectApplicantAge(bundle.definition, app.applicant, now);
        await this.verifyLicences(
          app,
          [...storedLicences(app, input.materials), ...(input.materials ?? [])],
          now,
        );
        const commitments = (input.commitments ?? []).map((c) => signedCommitment(c, now, this.newId));
        const letters = commitmentLetters(app, bundle.definition.materials);
        commitments.push(...lettersSignedAtWindow(app, letters, commitments, now, this.newId));
        app.commitments.push(...commitments);
        const dueAt = this.limits.addWorkingDays(
          now,
          input.deferralDays ?? this.options.defaultDeferralDays,
          app.region,
        );
        applyMaterials(app, input.materials ?? [], commitments, dueAt, now, true, true, letters);
        if (input.assisted !== undefined) recordAssisted(this.network, app, actor, input.assisted, now);
        checkAssisted(app, now);
        stampClerk(app, actor);
        route(this.network, app, actor, now);
        app.status = 'in-progress';
        app.acceptedAt = now;
        app.deadline = limitState(this.limits, app, now).deadline;
        app.timeStatus = 'normal';
        for (const item of app.items) item.status = 'reviewing';
        const instance = await this.startCaseInstance(app, bundle.processVersion);
        started = instance.id;
        faultPoint('after-engine:applications.accept');
        app.instanceId = instance.id;
        record(app, actor, now, 'accepted', {
          deferred: app.materials.filter((m) => m.status === 'deferred').map((m) => m.id),
          commitments: commitments.map((c) => c.id),
          ...(app.assisted ? { assisted: assistedSummary(app.assisted) } : {}),
        });
      });
    } catch (err) {
      if (started) await this.cancelUnaccepted(id, started);
      throw err;
    }
    return this.command(actor, accepted.id, (app) => this.sync(app, actor, 'acceptance'));
  }

  /**
   * Starts the case's process instance. Its id derives from the case, so an acceptance retried
   * after a crash between this start and the case's write takes up the instance it started instead
   * of starting another, if that one is still as it began, with these answers. One that is not
   * (cancelled when its acceptance failed, or started with answers corrected since) is cancelled if
   * it still runs, and the next id of the case is used.
   */
  private async startCaseInstance(app: Application, version: number): Promise<InstanceView> {
    const variables = processVariables(app);
    const stored = jsonCopy(variables) as Record<string, unknown>;
    for (let n = 1; n <= MAX_CASE_INSTANCES; n++) {
      const view = await this.engine.start(app.processId, {
        version,
        businessKey: app.id,
        instanceId: n === 1 ? `case-${app.id}` : `case-${app.id}-${n}`,
        variables,
      });
      const asStarted =
        view.version === version &&
        Object.keys(stored).every((key) => isDeepStrictEqual(view.variables[key], stored[key]));
      // A fresh instance may already wait in an incident (a condition with nothing to read): the
      // case is accepted with it, and a supervisor resolves it. Only a cancelled one is stale.
      if (view.status !== 'terminated' && asStarted) return view;
      await this.cancelIfRunning(view.id);
    }
    throw new DomainError(
      'conflict',
      t(
        '本办件受理次数过多，请联系管理员',
        'this case was accepted too many times; contact an administrator',
      ),
    );
  }

  /**
   * After a failed acceptance: its instance is cancelled unless the case was accepted with it after
   * all. Should that fail, a later acceptance of the case cancels a stale instance itself
   * (startCaseInstance), a refusal every one (refuse).
   */
  private cancelUnaccepted(caseId: string, instanceId: string): Promise<void> {
    return this.compensate(
      caseId,
      'cancel the process instance of a failed acceptance',
      [instanceId],
      async () => {
        const app = await this.docs.get<Application>(APPLICATIONS, caseId);
        if (app?.instanceId !== instanceId) await this.cancelIfRunning(instanceId);
      },
    );
  }

  /** Cancels an instance unless it has ended; one that is gone has nothing left to cancel. */
  private async cancelIfRunning(instanceId: string): Promise<void> {
    const view = await this.engine.instance(instanceId).catch((err: unknown) => {
      if (err instanceof CommandError && err.code === 'notFound') return undefined;
      throw err;
    });
    if (view && (view.status === 'active' || view.status === 'incident'))
      await this.engine.cancel(instanceId);
  }

  /**
   * Runs an undo step after a command failed (or the clean-up after one succeeded). The command's
   * own outcome is what its caller needs to see, so a failing undo is not thrown but logged for an
   * operator to finish by hand: the case, the step, the ids of what it left (instances, licences;
   * a licence id holds a result number, which may be a credit code: scrubbed) and the error.
   */
  private async compensate(
    caseId: string,
    step: string,
    left: readonly string[],
    undo: () => Promise<void>,
  ): Promise<void> {
    try {
      await undo();
    } catch (err) {
      this.warn(caseId, step, err, `compensation failed, left undone: ${step}`, {
        left: left.map(scrubText),
      });
    }
  }

  /** Tells the operator what failed on a case without failing the caller: the error scrubbed of personal data. */
  private warn(caseId: string, step: string, err: unknown, message: string, more = {}): void {
    const error = scrubText(err instanceof Error ? err.message : String(err));
    this.logger?.warn({ caseId, step, ...more, error }, message);
  }

  async returnForCorrection(
    actor: Actor,
    id: string,
    input: { entries: NoticeEntry[] },
  ): Promise<Application> {
    requireRole(actor, 'clerk');
    const entries = checkEntries(input.entries);
    return this.command(actor, id, async (app) => {
      expectStatus(app, ['submitted', 'draft']);
      const now = this.clock();
      app.notices.push({
        id: this.newId(),
        kind: 'pre-acceptance',
        number: app.notices.length + 1,
        issuedAt: now,
        issuedBy: actor.userId,
        entries,
      });
      stampClerk(app, actor);
      app.status = 'returned';
      record(app, actor, now, 'returned', { entries: entries.length });
    });
  }

  async refuse(actor: Actor, id: string, input: { reason: string }): Promise<Application> {
    requireRole(actor, 'clerk');
    const reason = requireText(input.reason, 'reason', t('不予受理理由', 'reason'));
    const refused = await this.command(actor, id, async (app) => {
      expectStatus(app, ['submitted', 'draft', 'returned']);
      stampClerk(app, actor);
      app.status = 'refused';
      app.endedAt = this.clock();
      app.endReason = reason;
      record(app, actor, this.clock(), 'refused', { reason });
    });
    // An acceptance that died after starting the case's process (before its write) left it running.
    for (const left of await this.engine.store.listInstances({ businessKey: id }))
      await this.compensate(id, 'cancel a process instance of a refused case', [left.id], () =>
        this.cancelIfRunning(left.id),
      );
    return refused;
  }

  // ── supplements and the one-time notice ─────────────────────────────────────────────

  async issueNotice(actor: Actor, id: string): Promise<Application> {
    requireRole(actor, 'clerk');
    return this.command(actor, id, async (app) => {
      if (!this.consolidate(app, actor)) {
        throw stateInvalid(t('没有待告知的补正要求', 'there is no pending supplement request to notify'));
      }
    });
  }

  /** Gathers every pending department request into one notice; pauses the clock. */
  private consolidate(app: Application, actor: Actor): boolean {
    const pending = app.requests.filter((r) => !r.noticeId && unanswered(r));
    if (!pending.length) return false;
    const now = this.clock();
    const notice = {
      id: this.newId(),
      kind: 'supplement' as const,
      number: app.notices.length + 1,
      issuedAt: now,
      issuedBy: actor.userId,
      entries: pending.flatMap((r) =>
        r.entries.map((e) => ({ ...e, item: r.item, department: r.department })),
      ),
    };
    app.notices.push(notice);
    for (const r of pending) r.noticeId = notice.id;
    app.status = 'awaiting-supplement';
    app.pauses.push({ from: now, reason: 'supplement', items: [...new Set(pending.map((r) => r.item))] });
    record(app, actor, now, 'notice.issued', { notice: notice.number, entries: notice.entries.length });
    return true;
  }

  async supplement(
    actor: Actor,
    id: string,
    input: { data?: Record<string, unknown>; materials?: MaterialInput[] },
  ): Promise<Application> {
    requireRole(actor, 'clerk', 'applicant');
    const originalSeen = actor.role === 'clerk';
    return this.command(actor, id, async (app) => {
      const now = this.clock();
      const bundle = await this.bundleVersion(app.bundleCode, app.bundleVersion);
      if (app.status === 'returned') {
        // Before acceptance: corrections go into the draft; the clerk resubmits.
        this.applyAnswers(app, bundle, app.answers, { ...app.data, ...(input.data ?? {}) });
        await this.verifyLicences(app, input.materials ?? [], now);
        applyMaterials(app, input.materials ?? [], [], 0, now, false, originalSeen);
        record(app, actor, now, 'corrected');
        return;
      }
      // The applicant answers a notice, and brings 容缺 materials still owed at any time (online);
      // the clerk also records those brought to the window.
      const owedOnly =
        !input.data && !!input.materials?.length && input.materials.every((m) => owed(app, m?.id));
      expectStatus(
        app,
        actor.role === 'applicant' && !owedOnly
          ? ['awaiting-supplement']
          : ['in-progress', 'awaiting-supplement', 'results-ready'],
      );
      const overdue = (input.materials ?? []).filter((m) =>
        app.materials.some((e) => e.id === m.id && e.deferral?.status === 'overdue'),
      );
      if (overdue.length) {
        throw new DomainError(
          'stateInvalid',
          t(
            '容缺材料已逾期，办件已终止，不能再补交',
            'the deferred material is overdue and the case was terminated',
          ),
          overdue.map((m) => ({ field: `materials.${m.id}`, message: t('已逾期', 'overdue') })),
        );
      }
      expectAskedFor(app, input, actor.role === 'clerk');
      if (input.data) {
        const fields = Object.keys(input.data);
        expectUndecidedFields(app, this.merged(bundle, app.answers).fields, fields);
        this.applyAnswers(app, bundle, app.answers, { ...app.data, ...input.data });
        checkForm(app, bundle);
      }
      await this.verifyLicences(app, input.materials ?? [], now);
      applyMaterials(app, input.materials ?? [], [], 0, now, false, originalSeen);
      record(app, actor, now, 'supplemented', {
        materials: (input.materials ?? []).map((m) => m.id),
        fields: Object.keys(input.data ?? {}),
      });
      const notice = openNotice(app);
      if (app.status === 'awaiting-supplement' && notice) answerNotice(app, notice, now);
      this.refreshDeadline(app);
      this.updateReadiness(app);
    });
  }

  // ── delivery and evaluation ─────────────────────────────────────────────────────────

  async deliver(
    actor: Actor,
    id: string,
    input: { channel: DeliveryChannel; items?: string[] },
  ): Promise<Application> {
    requireRole(actor, 'clerk');
    const channel = input.channel ?? 'window';
    if (!['window', 'post', 'electronic'].includes(channel)) {
      throw new DomainError('invalid', t('送达方式无效', 'invalid delivery channel'), [
        {
          field: 'channel',
          message: t('应为 window、post 或 electronic', 'must be window, post or electronic'),
        },
      ]);
    }
    const batch = input.items !== undefined;
    return this.command(actor, id, async (app) => {
      // 分批出件: decided results go out while other items are still open, at the applicant's request.
      expectStatus(app, batch ? ['in-progress', 'awaiting-supplement', 'results-ready'] : ['results-ready']);
      checkHandoverVenue(this.network, app, actor, channel);
      const items = batch ? batchItems(app, input.items) : undelivered(app);
      expectNothingOwed(app, batch ? items : undefined);
      const now = this.clock();
      const handover = {
        channel,
        by: actor.userId,
        at: now,
        ...(app.acceptedVenue ? { venue: app.acceptedVenue } : {}),
      };
      const handedOver = recordBatch(app, items, handover);
      // The last results handed over close the case (出件); earlier ones were a batch.
      const last = app.status === 'results-ready' && undelivered(app).length === 0;
      if (last) await this.closeDelivered(app, actor, handover);
      record(app, actor, now, last ? 'delivered' : 'delivered.batch', { channel, ...handedOver });
    });
  }

  /** Every result is out: the window's step in the process completes and the case is delivered. */
  private async closeDelivered(
    app: Application,
    actor: Actor,
    handover: NonNullable<Application['delivery']>,
  ): Promise<void> {
    const windowTask = (await this.openTasks(app)).find((task) => task.department === WINDOW);
    if (windowTask)
      await this.engine.completeTask(windowTask.id, {
        actor: actor.userId,
        variables: { deliveredBy: actor.userId },
      });
    app.status = 'delivered';
    app.deliveredAt = handover.at;
    app.delivery = handover;
  }

  async evaluate(
    actor: Actor,
    id: string,
    input: {
      channel: Evaluation['channel'];
      level: number;
      indicators?: Record<string, number>;
      comment?: string;
    },
  ): Promise<Application> {
    requireRole(actor, 'applicant', 'clerk');
    const level = input.level;
    if (!Number.isInteger(level) || level < 1 || level > 5) {
      throw new DomainError('invalid', t('评价等级应为 1 到 5', 'the level must be 1 to 5'), [
        { field: 'level', message: t('应为 1–5 的整数', 'must be a whole number from 1 to 5') },
      ]);
    }
    const channels: Evaluation['channel'][] = ['window', 'web', 'app', 'sms', 'qr', 'kiosk', 'hotline'];
    if (!channels.includes(input.channel)) {
      throw new DomainError('invalid', t('评价渠道无效', 'invalid evaluation channel'), [
        {
          field: 'channel',
          message: t(`应为 ${channels.join('、')} 之一`, `must be one of ${channels.join(', ')}`),
        },
      ]);
    }
    expectOwnChannel(actor, input.channel);
    return this.command(actor, id, async (app) => {
      // A proxy agent (代办人) sees the case, but 好差评 is the applicant's own, as is the
      // rectification case a bad review opens (filed under the applicant's account).
      if (actor.role === 'applicant' && app.applicant.userId !== actor.userId) {
        throw forbidden(
          t(
            '好差评由申请人本人作出，代办人不能代为评价',
            'only the applicant evaluates the service, not an agent',
          ),
        );
      }
      expectStatus(app, ['delivered', 'evaluated']);
      if (app.evaluations.some((e) => e.channel === input.channel)) {
        throw new DomainError(
          'conflict',
          t('该渠道已评价（一事一评）', 'this case was already evaluated on this channel'),
          [{ field: 'channel', message: t('已评价', 'already evaluated') }],
        );
      }
      const now = this.clock();
      const evaluation: Evaluation = {
        channel: input.channel,
        level: level as Evaluation['level'],
        at: now,
        by: actor.userId,
        ...(input.indicators ? { indicators: input.indicators } : {}),
        ...(input.comment ? { comment: String(input.comment).slice(0, 2000) } : {}),
      };
      if (level <= 2) {
        evaluation.rectification = {
          dueAt: this.limits.addWorkingDays(now, this.options.rectificationDays, app.region),
          status: 'assigned',
        };
      }
      app.evaluations.push(evaluation);
      app.status = 'evaluated';
      record(app, actor, now, 'evaluated', { channel: input.channel, level });
    });
  }

  // ── reading ─────────────────────────────────────────────────────────────────────────

  async getApplication(actor: Actor, id: string): Promise<Application> {
    const app = visible(actor, await this.docs.get<Application>(APPLICATIONS, id), id);
    return this.forReader(actor, app);
  }

  async listApplications(actor: Actor, filter: ApplicationFilter): Promise<Page<Application>> {
    const where: DocQuery['where'] & object = {};
    if (filter.status) where.status = filter.status;
    if (filter.bundleCode) where.bundleCode = filter.bundleCode;
    if (filter.timeStatus) {
      where.timeStatus = filter.timeStatus;
      // A colour is the state of a running clock: a closed case keeps its last one as history only.
      where.status ??= OPEN_STATES;
    }
    const limit = clampLimit(filter.limit);
    // An applicant's own cases and those they act in as an agent: two queries, one newest-first page.
    const scopes = [listScope(actor), agentListScope(actor)].filter((scope) => scope !== undefined);
    const found = await Promise.all(
      scopes.map((scope) =>
        this.docs.find<Application>(APPLICATIONS, {
          where: { ...where, ...scope },
          orderBy: 'createdAt',
          desc: true,
          limit: limit + 1,
          ...(filter.after ? { after: filter.after } : {}),
        }),
      ),
    );
    const rows = newestFirst(found.flat()).slice(0, limit + 1);
    const items = rows.slice(0, limit).filter((a) => canSee(actor, a));
    const last = rows[limit - 1];
    return {
      items: await Promise.all(items.map((a) => this.forReader(actor, a))),
      ...(rows.length > limit && last ? { next: encodeCursor(last.createdAt, last.id) } : {}),
    };
  }

  /** Applicants and clerks see their case; sensitive values are masked for everyone but the applicant. */
  private async forReader(actor: Actor, app: Application): Promise<Application> {
    if (actor.role === 'applicant') return applicantView(actor, app);
    const masked = {
      ...app,
      applicant: { ...app.applicant, idNumber: maskText('id', app.applicant.idNumber) },
      materials: maskFileNames(app.materials),
      timeline: app.timeline.map((e) => maskDeliveryResults(e, () => true)),
    };
    if (app.applicant.phone) masked.applicant.phone = maskText('mobile', app.applicant.phone);
    if (app.assisted) masked.assisted = maskAgent(app.assisted);
    if (actor.role === 'department') {
      masked.items = app.items.filter((i) => decides(actor, app, i));
      const mine = new Set(masked.items.map((i) => i.item));
      const payload = await this.payloadOf(app, actor.department!, mine);
      masked.data = payload?.data ?? {};
      masked.answers = payload?.situation ?? {};
      masked.materials = masked.materials.filter((m) => m.items.some((i) => mine.has(i)));
      masked.requests = app.requests.filter((r) => mine.has(r.item));
      masked.notices = noticesFor(app.notices, mine);
      const deliveries = deliveriesFor(app.deliveries, mine);
      if (deliveries) masked.deliveries = deliveries;
      // Other items' decisions and reasons are theirs, also in the delivery's results.
      masked.timeline = app.timeline
        .filter((e) => timelineShows(e, mine))
        .map((e) => maskDeliveryResults(e, (item) => mine.has(item)));
      masked.evaluations = [];
    } else if (actor.role === 'clerk' || actor.role === 'supervisor') {
      const bundle = await this.bundleVersion(app.bundleCode, app.bundleVersion);
      masked.data = maskSensitive(app, bundle);
      // Results declared sensitive (a child's certificate number) too, wherever the case lists them.
      const mask = outputMask(bundle.definition);
      masked.items = maskItemOutputs(app.items, mask);
      masked.timeline = masked.timeline.map((e) => maskEntryOutputs(e, mask));
    }
    return masked;
  }

  // ── material files ──────────────────────────────────────────────────────────────────

  async attachMaterialFile(
    actor: Actor,
    id: string,
    materialId: string,
    file: Omit<MaterialFile, 'uploadedAt' | 'uploadedBy'>,
  ): Promise<MaterialEntry> {
    requireRole(actor, 'clerk', 'applicant');
    const entryOf = (app: Application) => {
      const entry = app.materials.find((m) => m.id === materialId);
      if (!entry) throw notFound(t(`本办件的材料 ${materialId}`, `material ${materialId} of this case`));
      return entry;
    };
    const current = entryOf(visible(actor, await this.docs.get<Application>(APPLICATIONS, id), id));
    if (current.file?.sha256 === file.sha256) return current; // the same content again: nothing changes
    const saved = await this.mutate(actor, id, async (app) => {
      expectStatus(app, MATERIAL_FILE_STATUSES[actor.role === 'applicant' ? 'applicant' : 'clerk']);
      const entry = entryOf(app);
      // Any material before acceptance and while a notice is open (and the clerk's while under
      // review); otherwise (under review, results out) only a 容缺 material still owed.
      const anyMaterial =
        !OPEN_STATES.includes(app.status) ||
        app.status === 'awaiting-supplement' ||
        (actor.role !== 'applicant' && app.status === 'in-progress');
      if (!anyMaterial && !owed(app, materialId)) {
        throw new DomainError(
          'stateInvalid',
          t('现阶段只能补交容缺材料', 'only a deferred material still owed may come now'),
          [
            {
              field: `materials.${materialId}`,
              message: t('不是待补交的容缺材料', 'not a deferred material owed'),
            },
          ],
        );
      }
      const now = this.clock();
      entry.file = { ...file, uploadedAt: now, uploadedBy: actor.userId };
      entry.uploadSha256 = file.sha256;
      record(app, actor, now, 'material.uploaded', {
        material: materialId,
        sha256: file.sha256,
        size: file.size,
        mime: file.mime,
      });
    });
    return entryOf(saved);
  }

  // ── department inbox ────────────────────────────────────────────────────────────────

  async listTasks(actor: Actor, filter: TaskFilter): Promise<Page<DepartmentTask>> {
    requireRole(actor, 'department', 'supervisor');
    const department = actor.role === 'department' ? actor.department! : filter.department;
    if (actor.role === 'department' && filter.department && filter.department !== actor.department) {
      throw new DomainError(
        'forbidden',
        t('只能查看本部门的任务', 'you may only see your own department’s tasks'),
      );
    }
    // 属地: a department sees its office's items, a supervisor the work decided in their region.
    const where: Record<string, string> = { ...taskScope(actor) };
    if (department) where.department = department;
    if (filter.state) where.state = filter.state;
    if (filter.timeStatus) where.timeStatus = filter.timeStatus;
    const limit = clampLimit(filter.limit);
    const rows = await this.docs.find<TaskDoc>(DEPARTMENT_TASKS, {
      where,
      orderBy: 'deadline',
      limit: limit + 1,
      ...(filter.after ? { after: filter.after } : {}),
    });
    const items: DepartmentTask[] = [];
    for (const row of rows.slice(0, limit)) {
      const app = await this.docs.get<Application>(APPLICATIONS, row.applicationId);
      const item = app?.items.find((i) => taskIdOf(app.id, i.item) === row.id);
      // The query scoped the rows; the record decides (a row projected before a change may lag).
      if (app && item && (actor.role === 'supervisor' ? canSee(actor, app) : decides(actor, app, item)))
        items.push(taskView(this.limits, this.clock, app, item, false));
    }
    const last = rows[limit - 1];
    return { items, ...(rows.length > limit && last ? { next: encodeCursor(last.deadline, last.id) } : {}) };
  }

  async getTask(actor: Actor, id: string): Promise<DepartmentTask> {
    const { app, item } = await this.taskFor(actor, id);
    // Supervisors watch progress; the application data is the deciding department's to read.
    return actor.role === 'supervisor'
      ? taskView(this.limits, this.clock, app, item, true)
      : this.taskViewWithPayload(actor, app, item);
  }

  async claim(actor: Actor, taskId: string): Promise<DepartmentTask> {
    return this.departmentAction(actor, taskId, async (app, item) => {
      if (item.claimedBy && item.claimedBy !== actor.userId) {
        throw new DomainError(
          'conflict',
          t(`任务已由 ${item.claimedBy} 认领`, `the task is claimed by ${item.claimedBy}`),
        );
      }
      expectItem(item, ['reviewing', 'needs-supplement']);
      item.claimedBy = actor.userId;
      record(app, actor, this.clock(), 'task.claimed', { item: item.item });
    });
  }

  async approve(
    actor: Actor,
    taskId: string,
    input: {
      resultNumber?: string;
      outputs?: Record<string, string>;
      licence?: { typeCode: string; validTo?: string; holderId?: string };
      comment?: string;
    },
  ): Promise<DepartmentTask> {
    // The e-licence an attempt issued: cancelled if the approval is not recorded after all (another
    // member's rejection saved first), so no valid licence stands for an item that was not approved.
    let issued: string | undefined;
    try {
      return await this.decide(actor, taskId, 'approved', async (app, item) => {
        // The item's declared results first: with one missing or wrong, nothing is recorded or issued.
        const bundle = await this.bundleVersion(app.bundleCode, app.bundleVersion);
        const declared = bundle.definition.items.find((i) => i.code === item.item);
        const outputs = declared ? checkOutputs(declared, input.outputs) : [];
        if (outputs.length) item.outputs = outputs;
        item.resultNumber = input.resultNumber
          ? String(input.resultNumber).slice(0, 100)
          : `${app.number}-${item.item}`;
        const licence = await this.issueLicence(app, item, input.licence);
        if (licence) item.licenceId = issued = licence.id;
        const onCommitment = app.materials.some(
          (m) => m.status === 'commitment' && m.items.includes(item.item),
        );
        if (onCommitment) {
          item.postCheck = {
            dueAt: this.limits.addWorkingDays(
              this.clock(),
              this.options.postCheckDays,
              deciderRegionOf(app, item),
            ),
          };
        }
        return {
          resultNumber: item.resultNumber,
          // Labelled and marked as on the item, so a sensitive one is sealed here too.
          ...(outputs.length ? { outputs } : {}),
          ...(input.comment ? { comment: input.comment } : {}),
        };
      });
    } catch (err) {
      if (issued) await this.cancelUnrecordedLicence(splitTaskId(taskId)[0], issued);
      throw err;
    }
  }

  /** After a failed approval: its licence is cancelled unless an approval of the case holds it after all. */
  private cancelUnrecordedLicence(caseId: string, licenceId: string): Promise<void> {
    return this.compensate(
      caseId,
      'cancel the e-licence of an approval not recorded',
      [licenceId],
      async () => {
        const app = await this.docs.get<Application>(APPLICATIONS, caseId);
        const held = app?.items.some((i) => i.licenceId === licenceId && i.status === 'approved');
        if (!held) await this.licences.setStatus(licenceId, 'cancelled');
      },
    );
  }

  async reject(actor: Actor, taskId: string, input: { reason: string }): Promise<DepartmentTask> {
    const reason = requireText(input?.reason, 'reason', t('不予许可理由', 'reason'));
    return this.decide(actor, taskId, 'rejected', async (_app, item) => {
      item.reason = reason;
      return { reason };
    });
  }

  async requestSupplement(
    actor: Actor,
    taskId: string,
    input: { entries: NoticeEntry[] },
  ): Promise<DepartmentTask> {
    const entries = checkEntries(input?.entries);
    return this.departmentAction(actor, taskId, async (app, item) => {
      expectItem(item, ['reviewing', 'needs-supplement']);
      expectReached(item);
      if (app.status !== 'in-progress') {
        throw stateInvalid(
          t('办件正在等待补正，请待申请人补正后再提出', 'the case is already waiting for a supplement'),
        );
      }
      const bundle = await this.bundleVersion(app.bundleCode, app.bundleVersion);
      const merged = this.merged(bundle, app.answers);
      const mine = itemsDecidedBy(actor, app);
      expectOwnEntries(mine, merged, entries);
      expectAnswerableEntries(app, merged.fields, entries);
      const now = this.clock();
      app.requests.push({
        id: this.newId(),
        item: item.item,
        department: item.department,
        by: actor.userId,
        at: now,
        entries,
      });
      item.status = 'needs-supplement';
      record(app, actor, now, 'supplement.requested', { item: item.item, entries: entries.length });
      // One complete notice: once no department is still reviewing, every request goes out together.
      if (!app.items.some((i) => i.status === 'reviewing')) this.consolidate(app, actor);
    });
  }

  /**
   * A department takes back its unanswered supplement requests on an item (one the applicant can no
   * longer answer, or no longer needed): it reviews the item again, and decides it once the case runs.
   */
  async withdrawSupplementRequest(actor: Actor, taskId: string): Promise<DepartmentTask> {
    return this.departmentAction(actor, taskId, async (app, item) => {
      const open = app.requests.filter((r) => r.item === item.item && unanswered(r));
      if (!open.length) {
        throw stateInvalid(t('该事项没有未答复的补正要求', 'this item has no unanswered supplement request'));
      }
      const now = this.clock();
      withdrawRequests(app, open, now, actor.userId);
      record(app, actor, now, 'supplement.withdrawn', { item: item.item, requests: open.length });
      this.refreshDeadline(app);
    });
  }

  async recordPostCheck(
    actor: Actor,
    taskId: string,
    input: { result: 'confirmed' | 'false' | 'unverifiable' },
  ): Promise<DepartmentTask> {
    if (!['confirmed', 'false', 'unverifiable'].includes(input?.result)) {
      throw new DomainError('invalid', t('核查结果无效', 'invalid post-check result'), [
        {
          field: 'result',
          message: t('应为 confirmed、false 或 unverifiable', 'must be confirmed, false or unverifiable'),
        },
      ]);
    }
    const revoked: string[] = [];
    try {
      return await this.departmentAction(actor, taskId, async (app, item) => {
        if (!item.postCheck || item.postCheck.result) {
          throw stateInvalid(t('该事项没有待完成的承诺核查', 'this item has no open post-check'));
        }
        const now = this.clock();
        item.postCheck = { ...item.postCheck, result: input.result, at: now, by: actor.userId };
        if (input.result === 'false') {
          // A false commitment revokes the decision (撤销) and is recorded for credit.
          item.status = 'revoked';
          item.reason = '承诺不实，撤销许可 / decision revoked: the commitment was false';
          if (item.licenceId) await this.revokeLicence(item.licenceId, revoked);
        }
        record(app, actor, now, 'postCheck.recorded', { item: item.item, result: input.result });
      });
    } finally {
      // A failed command, or an attempt retried on a case that changed meanwhile, may have revoked
      // a licence the case does not record as revoked.
      await this.restoreRevoked(splitTaskId(taskId)[0], revoked);
    }
  }

  /**
   * Revokes a licence before the case records why (a revocation must never wait on the case's
   * save), noting it in `revoked` so that a command failing after all can restore it.
   */
  private async revokeLicence(licenceId: string, revoked: string[]): Promise<void> {
    const before = await this.licences.get(licenceId);
    await this.licences.setStatus(licenceId, 'revoked');
    if (before?.status === 'valid') revoked.push(licenceId);
  }

  /** After a command that revoked licences: those whose item the case (as saved, or left) still records as approved are valid again. */
  private async restoreRevoked(caseId: string, revoked: readonly string[]): Promise<void> {
    if (!revoked.length) return;
    await this.compensate(
      caseId,
      'restore e-licences revoked by a command not recorded',
      revoked,
      async () => {
        const app = await this.docs.get<Application>(APPLICATIONS, caseId);
        for (const id of revoked)
          if (app?.items.some((i) => i.licenceId === id && i.status === 'approved'))
            await this.licences.setStatus(id, 'valid');
      },
    );
  }

  // ── e-licences ──────────────────────────────────────────────────────────────────────

  async listLicences(actor: Actor, holderId: string): Promise<LicenceDoc[]> {
    requireRole(actor, 'clerk', 'applicant', 'supervisor');
    // Applicants see only licences held under their verified identity (real-name login), never
    // an ID number they merely typed into a form.
    if (actor.role === 'applicant' && (!actor.idNumber || actor.idNumber !== holderId)) return [];
    const found = await this.licences.ofHolder(String(holderId ?? ''));
    // Only the holder (a child's guardian for a birth certificate) reads a licence's sensitive facts.
    return found.map((doc) =>
      actor.role === 'applicant' && actor.idNumber === doc.holderId ? doc : maskedLicence(doc),
    );
  }

  /**
   * The e-licence of an approval (发证清单): the type the department names, else the one the item
   * declares in bundle.json (`issues`). Its data is the item's declared fields, else the public
   * (non-sensitive) fields of the department's payload, so it can pre-fill later forms.
   */
  private async issueLicence(
    app: Application,
    item: ItemCase,
    spec?: { typeCode: string; validTo?: string; holderId?: string },
  ) {
    const bundle = await this.bundleVersion(app.bundleCode, app.bundleVersion);
    const unified = { situation: app.answers, ...app.data };
    const declared = licenceContentFor(bundle.definition, item.item, unified);
    if (!spec && !declared) return undefined;
    if (spec && (typeof spec.typeCode !== 'string' || !spec.typeCode)) {
      throw new DomainError('invalid', t('请指定证照类型', 'the licence type is required'), [
        { field: 'licence.typeCode', message: t('必填', 'required') },
      ]);
    }
    let data = declared?.data;
    if (!data || (spec && spec.typeCode !== declared?.typeCode)) {
      const form = compileForm(bundle.definition);
      const payload = await this.payloadOf(app, item.department);
      data = {};
      for (const [key, value] of Object.entries(payload?.data ?? {})) {
        if (form.fieldById.get(key)?.definition.sensitivity === 'public') data[key] = value;
      }
    }
    const now = this.clock();
    return this.licences.issue(
      {
        typeCode: spec?.typeCode ?? declared!.typeCode,
        number: item.resultNumber!,
        // A business licence belongs to the new enterprise: the credit code its registration gave
        // identifies it (later bundles find the licence by the company's code), else the licence number.
        holderId:
          spec?.holderId ??
          creditCodeOutput(bundle.definition, item) ??
          (declared?.holder === 'resultNumber' ? item.resultNumber! : app.applicant.idNumber),
        holderName: typeof app.data.companyName === 'string' ? app.data.companyName : app.applicant.name,
        issuer: item.department,
        validFrom: cstDate(now),
        ...(spec?.validTo ? { validTo: String(spec.validTo) } : {}),
        // The item's results belong on its licence (a business licence shows its credit code) and pre-fill later forms.
        data: { ...data, ...outputRecord(item.outputs ?? []) },
      },
      now,
      { applicationId: app.id, item: item.item, ...sealedLicenceKeys(bundle.definition, data, item) },
    );
  }

  /** Every e-licence offered for a material must verify before it replaces the upload. */
  private async verifyLicences(app: Application, inputs: MaterialInput[], now: number): Promise<void> {
    for (const input of inputs) {
      if (input?.status !== 'eLicence' || !input.licenceId) continue;
      const material = app.materials.find((m) => m.id === input.id);
      if (!material) continue; // reported by applyMaterials
      const problem = await this.licences.verifyFor(
        input.licenceId,
        material,
        [app.applicant.idNumber],
        now,
        input.licence,
      );
      if (problem) throw licenceError(material.id, problem);
    }
  }

  // ── periodic work ───────────────────────────────────────────────────────────────────

  /**
   * Inbox rows written before 属地 scoping have no decider fields, so no department user with a
   * region would find them: rebuild them from their applications (the server does this at start).
   */
  async reprojectUnscopedTasks(): Promise<number> {
    const rows = await this.docs.find<TaskDoc>(DEPARTMENT_TASKS, { where: { deciderRegion: null } });
    let rebuilt = 0;
    for (const id of new Set(rows.map((r) => r.applicationId))) {
      const app = await this.docs.get<Application>(APPLICATIONS, id);
      if (!app || !app.items.some((i) => deciderRegionOf(app, i))) continue;
      // Compared with the rows stored (not those remembered), and saved again at the next rev so no
      // process keeps its remembered rows of this case (CommittedRows); a save by someone else
      // meanwhile rewrote the rows itself.
      this.committedRows.forget(app.id);
      // Nothing to rebuild (a row of an item no longer routed stays as it is): no new rev either.
      if (!app.acceptedAt || !this.changedTaskRows(app, await this.storedRows(app.id)).length) continue;
      try {
        await this.save(app, app.rev);
      } catch (err) {
        if (!(err instanceof DocConflictError)) throw err;
      }
      rebuilt++;
    }
    return rebuilt;
  }

  /**
   * Cases stored before the supervisor figures' projection, or written outside the Centre since
   * their row: their figures rows are written (the server does this at start). Returns how many.
   */
  async reprojectCaseFigures(): Promise<number> {
    return projectCaseFigures(this.docs, this.isWorkingDay);
  }

  async sweep(now: number = this.clock()): Promise<{ terminated: number; recoloured: number }> {
    let terminated = 0;
    let recoloured = 0;
    // The cases due by now, from the sweepAt index; every open case at start and every
    // fullSweepEveryMs (or when the clock went back). Only the clock's fields, page by page: no
    // sealed field to decrypt (one that no longer decrypts would fail the whole read), and other
    // requests run between pages.
    const full = !(now >= this.lastFullSweep && now - this.lastFullSweep < this.fullSweepEveryMs);
    const open = await readPages<Application>(
      this.docs,
      APPLICATIONS,
      full
        ? { where: { status: OPEN_STATES }, fields: SWEEP_FIELDS }
        : { orderBy: 'sweepAt', until: now, fields: SWEEP_FIELDS },
    );
    if (full) this.lastFullSweep = now;
    for (const candidate of open) {
      if (!OPEN_STATES.includes(candidate.status)) continue;
      // A case last saved by an older version has no sweepAt: saved here once, so ticks find it.
      const unstamped = (candidate as { sweepAt?: unknown }).sweepAt === undefined;
      if (!unstamped && !sweepHasWork(this.limits, candidate, now)) continue;
      // Decided again on the record as saved: the list may be stale (a deferred material supplied,
      // the case delivered since it was read).
      const revoked: string[] = [];
      try {
        await this.mutate(SYSTEM, candidate.id, async (app) => {
          if (!OPEN_STATES.includes(app.status)) return;
          if (overdueDeferrals(app, now).length) {
            await this.terminateForOverdueDeferral(app, SYSTEM, now, revoked);
            terminated++;
          } else {
            recoloured += recolour(this.limits, app, now);
          }
        }).finally(() => this.restoreRevoked(candidate.id, revoked));
      } catch (err) {
        // One case that cannot be read or saved holds back no other: an operator sees which.
        this.warn(candidate.id, 'sweep', err, 'sweep skipped a case it could not read or save');
      }
    }
    // Without atomic batches a case's figures row is written after it: one that failed, or that
    // an earlier save's write overtook, is made again here rather than at the next start.
    if (full && this.docs.writeAll === undefined)
      await projectCaseFigures(this.docs, this.isWorkingDay).catch((err: unknown) =>
        this.warn(
          '*',
          'figures rows',
          err,
          'supervisor figures rows not brought up to date; the next pass tries again',
        ),
      );
    return { terminated, recoloured };
  }

  /**
   * 容缺 overdue: the items the late materials serve end (终止办理; a decision already made is
   * revoked), and with them those the process then no longer reaches (sync: a preceding item was
   * not approved). The other results stand and are handed over; with none left the case ends.
   */
  private async terminateForOverdueDeferral(
    app: Application,
    actor: Actor,
    now: number,
    revoked: string[],
  ): Promise<void> {
    const late = overdueDeferrals(app, now);
    for (const m of late) m.deferral = { ...m.deferral!, status: 'overdue' };
    const served = new Set(late.flatMap((m) => m.items));
    const reason = t(
      `容缺材料${late.map((m) => `「${m.name.zh}」`).join('')}逾期未补交`,
      `deferred material ${late.map((m) => `"${m.name.en}"`).join(', ')} not supplied in time`,
    );
    const before = new Map(app.items.map((i) => [i.item, i.status]));
    for (const item of app.items.filter((i) => served.has(i.item)))
      await this.endItem(item, `${reason.zh} / ${reason.en}`, revoked);
    withdrawRequests(
      app,
      app.requests.filter((r) => served.has(r.item) && unanswered(r)),
      now,
      actor.userId,
    );
    await this.sync(app, actor, 'decision');
    const ended = app.items.filter((i) => i.status !== before.get(i.item)).map((i) => i.item);
    const materials = late.map((m) => m.id);
    const standing = app.items.some((i) => ['approved', 'reviewing', 'needs-supplement'].includes(i.status));
    if (standing) {
      record(app, actor, now, 'deferral.overdue', { materials, items: ended, reason });
      return;
    }
    if (app.instanceId) {
      const instance = await this.engine.instance(app.instanceId);
      if (instance.status === 'active' || instance.status === 'incident')
        await this.engine.cancel(app.instanceId);
    }
    closePauses(app.pauses, 'supplement', now);
    app.status = 'terminated';
    app.endedAt = now;
    app.endReason = 'deferredMaterialOverdue';
    record(app, actor, now, 'terminated', { reason: 'deferredMaterialOverdue', materials, items: ended });
  }

  /** An item ended by the centre, not its department: a decision made is revoked (its e-licence too), open work terminated. */
  private async endItem(item: ItemCase, reason: string, revoked: string[]): Promise<void> {
    if (item.status === 'approved') {
      item.status = 'revoked';
      item.reason = reason;
      if (item.licenceId) await this.revokeLicence(item.licenceId, revoked);
    } else if (item.status === 'reviewing' || item.status === 'needs-supplement') {
      item.status = 'terminated';
      item.reason = reason;
    }
  }

  // ── internals ───────────────────────────────────────────────────────────────────────

  private async decide(
    actor: Actor,
    taskId: string,
    decision: 'approved' | 'rejected',
    apply: (app: Application, item: ItemCase) => Promise<Record<string, unknown>>,
  ): Promise<DepartmentTask> {
    // Once the engine has taken this decision (its task completed with it), a save retried after a
    // lost race records it whatever else changed meanwhile (a notice issued by the window): the
    // process has moved on, so refusing now would leave the case and the engine disagreeing.
    let taken = false;
    return this.departmentAction(actor, taskId, async (app, item) => {
      expectItem(item, ['reviewing']);
      if (!taken) this.expectDecidable(actor, app, item);
      const details = await apply(app, item);
      const now = this.clock();
      item.status = decision;
      item.decidedAt = now;
      item.decidedBy = actor.userId;
      // The instance's open tasks once the decision is in: those the completion answers with.
      let openAfter: Task[] | undefined;
      if (item.taskId) {
        // Re-runnable: an attempt that completed the engine's task and then died (or lost the save
        // race) leaves it done while the case still waits; the retry records the decision only,
        // if it is the one the engine took.
        const variable = decisionVariable(item.item);
        const view = await this.completeIfOpen(app, item.taskId, {
          actor: actor.userId,
          variables: { [variable]: decision },
        });
        if (view) {
          taken = true;
          openAfter = view.openTasks;
          faultPoint(`after-engine:tasks.${decision === 'approved' ? 'approve' : 'reject'}`);
        } else if (!taken) await this.expectEngineTook(app, variable, decision);
        delete item.taskId;
      }
      record(app, actor, now, `task.${decision}`, {
        item: item.item,
        ...(item.decidingVenue
          ? { decidingVenue: item.decidingVenue, decidingDepartment: item.decidingDepartment }
          : {}),
        ...details,
      });
      // One complete notice: the last decision while requests wait sends them all out together.
      if (!app.items.some((i) => i.status === 'reviewing')) this.consolidate(app, actor);
      await this.sync(app, actor, 'decision', openAfter);
    });
  }

  /** What a decision needs before the engine takes it: the item reached, the case running, not claimed by another. */
  private expectDecidable(actor: Actor, app: Application, item: ItemCase): void {
    expectReached(item);
    if (app.status !== 'in-progress') {
      throw stateInvalid(
        t('办件当前不能作出决定', `no decision can be made while the case is ${app.status}`),
      );
    }
    if (item.claimedBy && item.claimedBy !== actor.userId) {
      throw new DomainError(
        'conflict',
        t(`任务已由 ${item.claimedBy} 认领`, `the task is claimed by ${item.claimedBy}`),
      );
    }
  }

  /**
   * The engine's task was no longer open: an earlier attempt of this decision completed it (and
   * died, or lost its save), or another member of the department decided it at the same time.
   * Only the decision the engine took may be recorded.
   */
  private async expectEngineTook(app: Application, variable: string, decision: string): Promise<void> {
    const taken = app.instanceId
      ? (await this.engine.instance(app.instanceId)).variables[variable]
      : undefined;
    if (taken === decision) return;
    throw new DomainError(
      'conflict',
      t(
        '该事项已由他人同时作出决定，请刷新后查看',
        'someone else decided this item at the same time; reload it',
      ),
    );
  }

  private async departmentAction(
    actor: Actor,
    taskId: string,
    change: (app: Application, item: ItemCase) => Promise<void>,
  ): Promise<DepartmentTask> {
    requireRole(actor, 'department');
    const { app } = await this.taskFor(actor, taskId);
    const saved = await this.mutate(
      actor,
      app.id,
      async (fresh) => {
        const item = fresh.items.find((i) => taskIdOf(fresh.id, i.item) === taskId)!;
        await change(fresh, item);
      },
      app,
    );
    return this.taskViewWithPayload(
      actor,
      saved,
      saved.items.find((i) => taskIdOf(saved.id, i.item) === taskId)!,
    );
  }

  private async taskFor(actor: Actor, id: string): Promise<{ app: Application; item: ItemCase }> {
    requireRole(actor, 'department', 'supervisor');
    const [appId, itemCode] = splitTaskId(id);
    const app = await this.docs.get<Application>(APPLICATIONS, appId);
    const item = app?.items.find((i) => i.item === itemCode);
    const mine =
      actor.role === 'supervisor'
        ? !!app && canSee(actor, app)
        : !!app && !!item && decides(actor, app, item);
    // A case the window has not accepted (a draft, one submitted, returned or refused) was never sent to departments.
    if (!app || !item || !mine || app.acceptedAt === undefined) throw notFound(t(`任务 ${id}`, `task ${id}`));
    return { app, item };
  }

  private async taskViewWithPayload(actor: Actor, app: Application, item: ItemCase): Promise<DepartmentTask> {
    const view = taskView(this.limits, this.clock, app, item, true);
    const mine = itemsDecidedBy(actor, app);
    view.payload = (await this.payloadOf(app, item.department, mine))?.data ?? {};
    withOutputs(view, (await this.bundleVersion(app.bundleCode, app.bundleVersion)).definition, app);
    return view;
  }

  /**
   * What one department may see of a case: its items' fields only, masked unless declared in full.
   * `items`: only these of its items (the ones a department office decides, scope.ts `decides`).
   */
  private async payloadOf(app: Application, department: string, items?: ReadonlySet<string>) {
    const bundle = await this.bundleVersion(app.bundleCode, app.bundleVersion);
    const form = compileForm(bundle.definition);
    return projectPayload(
      items ? formForItems(form, items) : form,
      { situation: app.answers, ...app.data },
      department,
    );
  }

  /**
   * Completes the engine's task if it is still open; undefined when it is not. A task open in the
   * record the engine's store committed itself needs no look-up (Store.committedOpenTask): the
   * command validates it, and should that record be stale (another node moved the instance on),
   * the task is looked up and decided on as before.
   */
  private async completeIfOpen(
    app: Application,
    taskId: string,
    options: CompleteOptions,
  ): Promise<InstanceView | undefined> {
    const isOpen = async () => (await this.openTasks(app)).some((task) => task.id === taskId);
    const known = this.engine.store.committedOpenTask?.(taskId) !== undefined;
    if (!known && !(await isOpen())) return undefined;
    try {
      return await this.engine.completeTask(taskId, options);
    } catch (err) {
      if (known && !(await isOpen())) return undefined;
      throw err;
    }
  }

  private async openTasks(app: Application): Promise<Task[]> {
    if (!app.instanceId) return [];
    return this.engine.tasks({ instanceId: app.instanceId, state: 'open' });
  }

  /**
   * Links the engine's open user tasks to the item cases, completes an acceptance step at the
   * window, and notices when every result is in. `known`: the instance's open tasks as the
   * engine command just made answered them (the instance view), instead of looking them up.
   */
  private async sync(
    app: Application,
    actor: Actor,
    phase: 'acceptance' | 'decision',
    known?: Task[],
  ): Promise<void> {
    const open = known ?? (await this.openTasks(app));
    // The case's clock stands still only while a special step is actually open.
    if (!open.some((task) => task.specialStep)) closePauses(app.pauses, 'special-step', this.clock());
    endSpecialSteps(app, open, this.clock());
    for (const task of open) {
      if (task.department === WINDOW) {
        if (task.formView === 'acceptance' && phase === 'acceptance') {
          const view = await this.engine.completeTask(task.id, { actor: actor.userId });
          return this.sync(app, actor, 'decision', view.openTasks);
        }
        // The process reached delivery: items it never routed (an earlier rejection) end here.
        for (const item of app.items) {
          if (item.status === 'reviewing' && !item.taskId) {
            item.status = 'terminated';
            item.reason = '前置事项未通过，本事项不再办理 / not handled: a preceding item was not approved';
          }
        }
        continue;
      }
      const item = app.items.find((i) => i.item === task.item);
      if (!item) continue;
      if (item.status === 'terminated') {
        // Ended by the centre (容缺 overdue): its task closes as not approved, so the process routes
        // around the items after it, as after a rejection.
        const view = await this.engine.completeTask(task.id, {
          actor: actor.userId,
          variables: { [decisionVariable(item.item)]: 'rejected' },
        });
        delete item.taskId;
        return this.sync(app, actor, phase, view.openTasks);
      }
      item.taskId = task.id;
      item.startedAt ??= task.createdAt;
      // A special step's gov:timeLimit is its own limit (special-steps.ts), not the item's.
      if (task.timeLimitDays !== undefined && !task.specialStep) item.limitDays = task.timeLimitDays;
      if (task.specialStep) {
        item.specialStep = true;
        beginSpecialStep(this.limits, app, item, task, this.clock());
      }
      item.timeStatus ??= 'normal';
      if (task.specialStep && !app.pauses.some((p) => p.reason === 'special-step' && !p.to)) {
        app.pauses.push({ from: this.clock(), reason: 'special-step' });
      }
    }
    this.updateReadiness(app);
    // A special step that just ended moved the promised date by the days it stood still.
    this.refreshDeadline(app);
    if (OPEN_STATES.includes(app.status)) recolour(this.limits, app, this.clock());
  }

  /** Every item decided → results wait at the window. */
  private updateReadiness(app: Application): void {
    const decided = app.items.every((i) => i.status !== 'reviewing' && i.status !== 'needs-supplement');
    if (decided && app.status === 'in-progress') {
      closePauses(app.pauses, 'special-step', this.clock());
      app.status = 'results-ready';
      record(app, SYSTEM, this.clock(), 'results.ready', {
        approved: app.items.filter((i) => i.status === 'approved').map((i) => i.item),
        rejected: app.items.filter((i) => i.status === 'rejected').map((i) => i.item),
      });
    }
  }

  private refreshDeadline(app: Application): void {
    if (app.acceptedAt === undefined) return;
    app.deadline = limitState(this.limits, app, this.clock()).deadline;
  }

  /** Answers decide the items, materials and fields (case-form.ts); the merge for them is cached here. */
  private applyAnswers(
    app: Application,
    bundle: BundleRecord,
    answers: Record<string, unknown>,
    data: Record<string, unknown>,
  ): string[] {
    return applyMerge(app, this.merged(bundle, answers), answers, data);
  }

  /** A command on behalf of `actor`: what it returns is what that actor may read (masked). */
  private async command(
    actor: Actor,
    id: string,
    change: (app: Application) => Promise<void>,
  ): Promise<Application> {
    return this.forReader(actor, await this.mutate(actor, id, change));
  }

  /**
   * Load, change, save with compare-and-set; a lost race reloads and tries again. `loaded`: the
   * record the caller has just read and hands over (it does not use it again), tried first
   * instead of reading it again (if it is stale, the save conflicts and the next attempt reads).
   * The change works on the record as read: a DocStore read hands out a copy of its own.
   */
  private async mutate(
    actor: Actor,
    id: string,
    change: (app: Application) => Promise<void>,
    loaded?: Application,
  ): Promise<Application> {
    for (let attempt = 0; ; attempt++) {
      const current = attempt === 0 && loaded ? loaded : await this.docs.get<Application>(APPLICATIONS, id);
      const draft = visible(actor, current, id);
      const rev = draft.rev;
      await change(draft);
      try {
        return await this.save(draft, rev);
      } catch (err) {
        if (err instanceof DocConflictError && attempt < MAX_RETRIES) continue;
        if (err instanceof DocConflictError)
          throw new DomainError(
            'conflict',
            t('办件已被他人修改，请刷新', 'the case was changed by someone else; reload it'),
          );
        throw err;
      }
    }
  }

  /**
   * The case record, the inbox rows it changed and its figures row (case-figures.ts), in one
   * commit (DocStore.writeAll; one after the other, the case first, where the store has no
   * batches): a decision wrote its rows in a commit of their own.
   */
  private async save(app: Application, expectedRev: number): Promise<Application> {
    stampAgentUserId(app);
    stampSweepAt(this.limits, app, this.clock());
    const saved = { ...app, rev: expectedRev + 1 };
    // Remembered rows hold only where the case and its rows commit together (an atomic writeAll):
    // written one after another, another node's late row write could land after this commit.
    const atomic = this.docs.writeAll !== undefined;
    const stored = app.acceptedAt
      ? ((atomic ? this.committedRows.at(app.id, expectedRev) : undefined) ?? (await this.storedRows(app.id)))
      : undefined;
    const rows = stored ? this.changedTaskRows(saved, stored) : [];
    // The rows as they stand once this commits: those stored, with the changed ones written over them.
    const after = new Map(stored);
    for (const w of rows) after.set(w.doc.id, w.doc as TaskDoc);
    const figures = caseFiguresOf(saved, [...after.values()], this.isWorkingDay);
    // The figures row commits with the case where the store has batches; without (MongoDB without
    // a replica set) it is written after, and a failure there fails no command: the report builds a
    // missing row from its case, and the sweep's next full pass (or a start) writes it.
    const figuresRow = { collection: CASE_FIGURES, doc: figures };
    try {
      const written = (
        await writeAll(this.docs, [
          { collection: APPLICATIONS, doc: app, expectedRev },
          ...rows,
          ...(atomic ? [figuresRow] : []),
        ])
      )[0] as Application;
      if (!atomic)
        await this.docs
          .replace(CASE_FIGURES, figures)
          .catch((err: unknown) =>
            this.warn(
              app.id,
              'figures row',
              err,
              "supervisor figures row not written; the sweep's next full pass writes it",
            ),
          );
      if (stored && atomic)
        this.committedRows.remember(
          app.id,
          written.rev,
          stored,
          rows.map((w) => w.doc as TaskDoc),
        );
      return written;
    } catch (err) {
      this.committedRows.forget(app.id);
      throw err;
    }
  }

  /** The stored department inbox rows of one application, by id. */
  private async storedRows(applicationId: string): Promise<Map<string, TaskDoc>> {
    const rows = await this.docs.find<TaskDoc>(DEPARTMENT_TASKS, { where: { applicationId } });
    return new Map(rows.map((row) => [row.id, row]));
  }

  /**
   * The department inbox rows of one application, rebuilt from the record: only rows that differ
   * from the stored ones (a decision changes one or two of an application's rows).
   */
  private changedTaskRows(app: Application, stored: ReadonlyMap<string, TaskDoc>): DocWrite[] {
    const changed: DocWrite[] = [];
    for (const item of app.items) {
      // While a special step is open, the department works against its own limit (case-clock.ts).
      const clock = workingClock(this.limits, app, item, this.clock());
      const state: TaskDoc['state'] =
        item.status === 'reviewing'
          ? notReached(app, item)
            ? 'waiting'
            : item.claimedBy
              ? 'claimed'
              : 'open'
          : item.status === 'needs-supplement'
            ? 'needs-supplement'
            : 'done';
      const row: TaskDoc = {
        id: taskIdOf(app.id, item.item),
        rev: app.rev,
        applicationId: app.id,
        department: item.department,
        state: OPEN_STATES.includes(app.status) || state === 'done' ? state : 'done',
        timeStatus: clock.recorded,
        deadline: clock.state.deadline,
        createdAt: app.acceptedAt!,
        ...taskScopeFields(app, item),
      };
      const before = stored.get(row.id);
      if (!before || !sameRow(before, row)) changed.push({ collection: DEPARTMENT_TASKS, doc: row });
    }
    return changed;
  }
}

/**
 * A draft on a withdrawn bundle version: it is not taken in. Names the bundle and version, and
 * what the clerk does instead (a new application on the current version, if there is one).
 */
function bundleWithdrawn(app: Application, current: number | undefined): DomainError {
  const bundle = t(
    `事项包 ${app.bundleCode} 第${app.bundleVersion}版`,
    `bundle ${app.bundleCode} version ${app.bundleVersion}`,
  );
  const instead =
    current === undefined
      ? t('该事项包目前没有可受理的版本', 'the bundle has no version taken in now')
      : t(`请在现行第${current}版上新建申请`, `start a new application on the current version ${current}`);
  const message = t(
    `${bundle.zh}已停止受理（已撤下），本申请不能提交或受理：${instead.zh}`,
    `${bundle.en} was withdrawn (retired) and is no longer taken in, so this application cannot be submitted or accepted: ${instead.en}`,
  );
  return new DomainError('stateInvalid', message, [{ field: 'bundleVersion', message }]);
}

// ── helpers ─────────────────────────────────────────────────────────────────────────────

/** A corrected applicant stays the case's owner's: an edit never hands the case to another account. */
function withOwner(applicant: Applicant, userId: string | undefined): Applicant {
  const { userId: _ignored, ...rest } = applicant;
  return userId ? { ...rest, userId } : rest;
}

/** 好差评 is the applicant's own: staff record only the window's evaluation device, never an online channel. */
function expectOwnChannel(actor: Actor, channel: Evaluation['channel']): void {
  const byClerk = actor.role === 'clerk';
  if (byClerk === (channel === 'window')) return;
  throw new DomainError(
    'forbidden',
    byClerk
      ? t('窗口人员只能录入窗口评价器的评价', 'window staff record only the window evaluation device')
      : t('窗口评价由窗口评价器录入', 'the window channel is recorded by the window evaluation device'),
    [
      {
        field: 'channel',
        message: byClerk
          ? t('线上渠道只能由申请人本人评价', 'only the applicant evaluates on an online channel')
          : t('请选择线上渠道', 'choose an online channel'),
      },
    ],
  );
}

function resolveOpenNotices(app: Application, now: number): void {
  for (const n of app.notices) if (!n.resolvedAt) n.resolvedAt = now;
}

function processVariables(app: Application): Record<string, unknown> {
  return { applicationId: app.id, ...app.answers, items: app.items.map((i) => i.item) };
}

/**
 * The e-licences a case holds already for its materials (chosen before a return for correction,
 * in a supplement), to be verified again at acceptance; those the request names are verified as
 * it sends them.
 */
function storedLicences(app: Application, inputs: MaterialInput[] | undefined): MaterialInput[] {
  const named = new Set((inputs ?? []).map((m) => m?.id));
  return app.materials
    .filter((m) => m.status === 'eLicence' && m.licenceId !== undefined && !named.has(m.id))
    .map((m) => ({ id: m.id, status: 'eLicence', licenceId: m.licenceId! }));
}

/**
 * A department's part of the case's notices: the entries of supplement notices about its own
 * items. What other departments asked (and the window's corrections before acceptance) is theirs.
 */
function noticesFor(notices: Application['notices'], mine: ReadonlySet<string>): Application['notices'] {
  const shown: Application['notices'] = [];
  for (const notice of notices) {
    if (notice.kind !== 'supplement') continue;
    const entries = notice.entries.filter((e) => e.item !== undefined && mine.has(e.item));
    if (entries.length) shown.push({ ...notice, entries });
  }
  return shown;
}

/** Rows of several list queries as one page would order them: newest first, ties by id (as the stores do), once each. */
function newestFirst(rows: Application[]): Application[] {
  const byId = new Map(rows.map((a) => [a.id, a]));
  return [...byId.values()].sort(
    (a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
  );
}

/** Steps of the whole case every department follows; the rest a department sees only for its own items. */
const CASE_STEPS = new Set(['accepted', 'notice.issued', 'supplemented', 'delivered', 'terminated']);

/** Whether a department with these items sees a timeline step (not other items' decisions, reasons, requests). */
function timelineShows(entry: TimelineEntry, mine: ReadonlySet<string>): boolean {
  const item = entry.data?.item;
  if (entry.type === 'delivered.batch') return batchShows(entry, mine);
  return typeof item === 'string' ? mine.has(item) : CASE_STEPS.has(entry.type);
}

/** The deferred materials (容缺) not supplied by their due time. */
function overdueDeferrals(app: Application, now: number): MaterialEntry[] {
  return app.materials.filter((m) => m.deferral?.status === 'pending' && m.deferral.dueAt < now);
}

function caseNumber(bundleCode: string, now: number, id: string): string {
  const day = new Date(now + 8 * 3600_000).toISOString().slice(0, 10).replace(/-/g, '');
  const prefix =
    bundleCode
      .replace(/[^A-Za-z]/g, '')
      .slice(0, 4)
      .toUpperCase() || 'CASE';
  return `${prefix}-${day}-${id.replace(/-/g, '').slice(0, 8).toUpperCase()}`;
}

function clampLimit(limit: number | undefined): number {
  const n = Number(limit ?? 50);
  return Number.isInteger(n) && n > 0 ? Math.min(n, 200) : 50;
}
