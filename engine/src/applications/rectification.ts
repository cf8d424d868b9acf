/**
 * 差评整改 (GOV-SERVICES 2.18): every bad review (levels 1–2) opens one rectification case for
 * the unit responsible (谁办理、谁负责). The department contacts the evaluator and verifies; a
 * valid complaint is rectified, one without legal basis is explained, a mistaken or malicious
 * one is appealed to the supervisor; the result is fed back to the applicant within the limit
 * (working days, yellow/red like tasks), and a revisit (回访) closes it.
 *
 *   assigned ─contact→ verifying ─verify→ rectifying | explained | appealed
 *   appealed ─review→ closed (upheld) | rectifying (not upheld)
 *   rectifying | explained ─feedback→ fedBack ─revisit→ closed
 *
 * Cases live in their own collection; the status is mirrored onto the application's evaluation
 * so the applicant's page and the application record show where it stands.
 */
import type { Actor } from '../domain/actor.js';
import { DocConflictError, encodeCursor, type Doc, type DocStore } from '../domain/docs.js';
import { t, DomainError, forbidden, notFound, stateInvalid } from '../domain/errors.js';
import type { Page } from './api.js';
import { requireText } from './case-checks.js';
import { APPLICATIONS, DEFAULT_RECTIFICATION_DAYS } from './centre.js';
import type { TimeLimits, TimeLimitStatus } from './clock.js';
import { deciderRegionOf, inRegion, listScope, requireRole } from './scope.js';
import { record } from './timeline.js';
import type { Application, Evaluation, TimelineEntry } from './types.js';

export const RECTIFICATIONS = 'rectifications';

export type RectificationStatus = NonNullable<Evaluation['rectification']>['status'];

export const RECTIFICATION_STATUSES: readonly RectificationStatus[] = [
  'assigned',
  'verifying',
  'rectifying',
  'explained',
  'appealed',
  'fedBack',
  'closed',
];

/** What verification found: a real problem, a complaint without legal basis, or a mistaken/malicious one. */
export type Finding = 'valid' | 'no-basis' | 'mistaken';

interface Stamp {
  at: number;
  by: string;
}

export interface RectificationCase extends Doc {
  applicationId: string;
  applicationNumber: string;
  bundleCode: string;
  /** The evaluation it follows up: one case per application and channel. */
  channel: Evaluation['channel'];
  level: number;
  comment?: string;
  evaluatedAt: number;
  applicantUserId?: string;
  /** The responsible unit; a supervisor may reassign it before verification ends. */
  department: string;
  /**
   * 属地: the region of the office answering for it (the one that decided the department's item,
   * else the accepting district); a department user with a region sees only their office's cases.
   */
  deciderRegion?: string;
  region?: string;
  city?: string;
  status: RectificationStatus;
  createdAt: number;
  limitDays: number;
  /** 24:00 CST of the last working day to feed the result back. */
  deadline: number;
  timeStatus: TimeLimitStatus;
  contact?: Stamp & { note: string };
  finding?: Stamp & { result: Finding; reason?: string; plan?: string };
  appealReview?: Stamp & { upheld: boolean; reason: string };
  feedback?: Stamp & { message: string; measures?: string };
  revisit?: Stamp & { satisfied: boolean; note?: string };
  /** Fed back (or the appeal upheld) by the deadline. */
  onTime?: boolean;
  closedAt?: number;
  /** Every step, who took it and when (the audit log holds the HTTP commands as well). */
  timeline: TimelineEntry[];
}

/** A case as its reader may see it, with the live time-limit figures. */
export type RectificationView = Omit<RectificationCase, 'timeline' | 'contact'> &
  Partial<Pick<RectificationCase, 'timeline' | 'contact'>> & { remainingWorkingDays?: number };

export interface RectificationFilter {
  status?: RectificationStatus;
  department?: string;
  timeStatus?: TimeLimitStatus;
  applicationId?: string;
  limit?: number;
  after?: string;
}

export interface RectificationOptions {
  docs: DocStore;
  timeLimits: TimeLimits;
  clock?: () => number;
  /** Working days to rectify and feed back (national practice 15; some places 5 or 7). */
  limitDays?: number;
}

const OPEN: RectificationStatus[] = ['assigned', 'verifying', 'rectifying', 'explained', 'appealed'];
const MAX_RETRIES = 5;
const caseIdOf = (applicationId: string, channel: string) => `${applicationId}:${channel}`;
const SYSTEM: Actor = { userId: 'system', name: '系统', role: 'supervisor' };

export class RectificationDesk {
  private readonly docs: DocStore;
  private readonly limits: TimeLimits;
  private readonly clock: () => number;
  private readonly limitDays: number;

  constructor(options: RectificationOptions) {
    this.docs = options.docs;
    this.limits = options.timeLimits;
    this.clock = options.clock ?? Date.now;
    this.limitDays = options.limitDays ?? DEFAULT_RECTIFICATION_DAYS;
  }

  /**
   * Opens a case for each bad review of the application that has none yet. Idempotent (the case
   * id is application + channel), so the evaluation command and the start-up reconciliation may
   * both call it.
   */
  async openFor(applicationId: string): Promise<RectificationCase[]> {
    const app = await this.docs.get<Application>(APPLICATIONS, applicationId);
    if (!app) return [];
    const opened: RectificationCase[] = [];
    for (const evaluation of app.evaluations) {
      if (evaluation.level > 2) continue;
      const id = caseIdOf(app.id, evaluation.channel);
      let found = await this.docs.get<RectificationCase>(RECTIFICATIONS, id);
      if (!found) {
        try {
          found = await this.docs.put(RECTIFICATIONS, this.newCase(app, evaluation, id), 0);
          opened.push(found);
        } catch (err) {
          if (!(err instanceof DocConflictError)) throw err;
          found = (await this.docs.get<RectificationCase>(RECTIFICATIONS, id))!;
        }
      }
      if (evaluation.rectification?.caseId !== id || evaluation.rectification.status !== found.status)
        await this.mirror(found);
    }
    return opened;
  }

  /**
   * After a crash between an evaluation and its case: opens what is missing (run at start-up).
   * Cases opened before the deciding office was recorded get it, so their office finds them again.
   */
  async reconcile(): Promise<number> {
    await this.recordDeciders();
    let opened = 0;
    let after: string | undefined;
    for (;;) {
      const page = await this.docs.find<Application>(APPLICATIONS, {
        where: { status: 'evaluated' },
        orderBy: 'createdAt',
        limit: 200,
        ...(after ? { after } : {}),
      });
      for (const app of page)
        if (app.evaluations.some((e) => e.level <= 2 && !e.rectification?.caseId))
          opened += (await this.openFor(app.id)).length;
      const last = page[page.length - 1];
      if (page.length < 200 || !last) return opened;
      after = encodeCursor(last.createdAt, last.id);
    }
  }

  async list(actor: Actor, filter: RectificationFilter = {}): Promise<Page<RectificationView>> {
    const where: Record<string, string> = { ...scopeOf(actor) };
    if (filter.department) {
      if (actor.role === 'department' && filter.department !== actor.department)
        throw forbidden(t('只能查看本部门的整改件', 'you may only see your own department’s cases'));
      where.department = filter.department;
    }
    if (filter.status) where.status = filter.status;
    if (filter.timeStatus) where.timeStatus = filter.timeStatus;
    if (filter.applicationId) where.applicationId = filter.applicationId;
    const limit = Math.min(Math.max(Math.trunc(filter.limit ?? 20), 1), 100);
    const rows = await this.docs.find<RectificationCase>(RECTIFICATIONS, {
      where,
      orderBy: 'deadline',
      limit: limit + 1,
      ...(filter.after ? { after: filter.after } : {}),
    });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((c) => this.view(actor, c)),
      ...(rows.length > limit && last ? { next: encodeCursor(last.deadline, last.id) } : {}),
    };
  }

  async get(actor: Actor, id: string): Promise<RectificationView> {
    return this.view(actor, await this.load(actor, id));
  }

  /** Supervisor: hand the case to another unit (its office in the case) while it is still being verified. */
  async assign(actor: Actor, id: string, input: { department: string; reason?: string }) {
    requireRole(actor, 'supervisor');
    const department = requireText(input.department, 'department', t('责任单位', 'department')).slice(0, 100);
    const app = await this.docs.get<Application>(APPLICATIONS, (await this.load(actor, id)).applicationId);
    const office = app && officeOf(app, department);
    return this.transition(actor, id, ['assigned', 'verifying'], (c) => {
      const from = c.department;
      c.department = department;
      if (office) c.deciderRegion = office;
      else delete c.deciderRegion;
      c.status = 'assigned';
      delete c.contact;
      return {
        type: 'assigned',
        data: { from, to: department, ...(input.reason ? { reason: input.reason } : {}) },
      };
    });
  }

  /** Department: first contact with the evaluator (联系核实). */
  async contact(actor: Actor, id: string, input: { note: string }) {
    requireRole(actor, 'department');
    const note = requireText(input.note, 'note', t('联系情况', 'contact note'));
    return this.transition(actor, id, ['assigned'], (c, now) => {
      c.contact = { at: now, by: actor.userId, note };
      c.status = 'verifying';
      return { type: 'contacted' };
    });
  }

  /** Department: what verification found decides the path. */
  async verify(actor: Actor, id: string, input: { finding: Finding; reason?: string; plan?: string }) {
    requireRole(actor, 'department');
    if (!['valid', 'no-basis', 'mistaken'].includes(input.finding)) {
      throw new DomainError('invalid', t('核实结论无效', 'invalid finding'), [
        {
          field: 'finding',
          message: t('应为 valid、no-basis 或 mistaken', 'must be valid, no-basis or mistaken'),
        },
      ]);
    }
    const reason =
      input.finding === 'valid'
        ? optionalText(input.reason)
        : requireText(
            input.reason,
            'reason',
            input.finding === 'no-basis'
              ? t('解释说明（无法律依据的理由）', 'explanation (why there is no legal basis)')
              : t('申诉理由（误评或恶意差评）', 'appeal reason (mistaken or malicious review)'),
          );
    const plan = optionalText(input.plan);
    return this.transition(actor, id, ['verifying'], (c, now) => {
      c.finding = {
        at: now,
        by: actor.userId,
        result: input.finding,
        ...(reason ? { reason } : {}),
        ...(plan ? { plan } : {}),
      };
      c.status =
        input.finding === 'valid' ? 'rectifying' : input.finding === 'no-basis' ? 'explained' : 'appealed';
      return { type: `verified.${input.finding}` };
    });
  }

  /** Supervisor: an appeal upheld closes the case as an invalid review; otherwise it is rectified. */
  async reviewAppeal(actor: Actor, id: string, input: { upheld: boolean; reason: string }) {
    requireRole(actor, 'supervisor');
    if (typeof input.upheld !== 'boolean') {
      throw new DomainError('invalid', t('请选择是否支持申诉', 'say whether the appeal is upheld'), [
        { field: 'upheld', message: t('应为 true 或 false', 'must be true or false') },
      ]);
    }
    const reason = requireText(input.reason, 'reason', t('复核意见', 'review reason'));
    return this.transition(actor, id, ['appealed'], (c, now) => {
      c.appealReview = { at: now, by: actor.userId, upheld: input.upheld, reason };
      if (input.upheld) {
        c.status = 'closed';
        c.closedAt = now;
        c.onTime = now < c.deadline;
      } else c.status = 'rectifying';
      return { type: input.upheld ? 'appeal.upheld' : 'appeal.rejected' };
    });
  }

  /** Department: the result fed back to the applicant; a rectification states its measures. */
  async feedback(actor: Actor, id: string, input: { message: string; measures?: string }) {
    requireRole(actor, 'department');
    const message = requireText(input.message, 'message', t('反馈内容', 'feedback message'));
    const current = await this.load(actor, id);
    const measures =
      current.status === 'rectifying'
        ? requireText(input.measures, 'measures', t('整改措施', 'rectification measures'))
        : optionalText(input.measures);
    return this.transition(actor, id, ['rectifying', 'explained'], (c, now) => {
      c.feedback = { at: now, by: actor.userId, message, ...(measures ? { measures } : {}) };
      c.status = 'fedBack';
      c.onTime = now < c.deadline;
      return { type: 'fedBack', data: { onTime: c.onTime } };
    });
  }

  /** Department or supervisor: the revisit (回访) records whether the applicant is satisfied and closes it. */
  async revisit(actor: Actor, id: string, input: { satisfied: boolean; note?: string }) {
    requireRole(actor, 'department', 'supervisor');
    if (typeof input.satisfied !== 'boolean') {
      throw new DomainError('invalid', t('请记录回访是否满意', 'record whether the applicant is satisfied'), [
        { field: 'satisfied', message: t('应为 true 或 false', 'must be true or false') },
      ]);
    }
    const note = optionalText(input.note);
    return this.transition(actor, id, ['fedBack'], (c, now) => {
      c.revisit = { at: now, by: actor.userId, satisfied: input.satisfied, ...(note ? { note } : {}) };
      c.status = 'closed';
      c.closedAt = now;
      return { type: 'revisited', data: { satisfied: input.satisfied } };
    });
  }

  /** Periodic: recolours open cases as their deadline nears (each crossing recorded once). */
  async sweep(now: number = this.clock()): Promise<number> {
    let recoloured = 0;
    const open = await this.docs.find<RectificationCase>(RECTIFICATIONS, { where: { status: OPEN } });
    for (const candidate of open) {
      if (this.state(candidate, now).status === candidate.timeStatus) continue;
      await this.save(candidate.id, (c) => {
        const next = this.state(c, now).status;
        if (!OPEN.includes(c.status) || next === c.timeStatus) return false;
        c.timeStatus = next;
        record(c, SYSTEM, now, `timeLimit.${next}`);
        recoloured++;
        return true;
      });
    }
    return recoloured;
  }

  // ── internals ───────────────────────────────────────────────────────────────────────

  /** Records the deciding office on cases opened without it (see `reconcile`). */
  private async recordDeciders(): Promise<void> {
    const unscoped = await this.docs.find<RectificationCase>(RECTIFICATIONS, {
      where: { deciderRegion: null },
    });
    for (const candidate of unscoped) {
      const app = await this.docs.get<Application>(APPLICATIONS, candidate.applicationId);
      const office = app && officeOf(app, candidate.department);
      if (!office) continue;
      await this.save(candidate.id, (c) => {
        if (c.deciderRegion || c.department !== candidate.department) return false;
        c.deciderRegion = office;
        return true;
      });
    }
  }

  private newCase(app: Application, evaluation: Evaluation, id: string): RectificationCase {
    const now = this.clock();
    const state = this.limits.state(
      {
        start: evaluation.at,
        limitDays: this.limitDays,
        pauses: [],
        ...(app.region ? { region: app.region } : {}),
      },
      now,
    );
    const department = responsibleDepartment(app);
    const office = officeOf(app, department);
    const c: RectificationCase = {
      id,
      rev: 0,
      applicationId: app.id,
      applicationNumber: app.number,
      bundleCode: app.bundleCode,
      channel: evaluation.channel,
      level: evaluation.level,
      ...(evaluation.comment ? { comment: evaluation.comment } : {}),
      evaluatedAt: evaluation.at,
      ...(app.applicantUserId ? { applicantUserId: app.applicantUserId } : {}),
      department,
      ...(office ? { deciderRegion: office } : {}),
      ...(app.region ? { region: app.region } : {}),
      ...(app.city ? { city: app.city } : {}),
      status: 'assigned',
      createdAt: now,
      limitDays: this.limitDays,
      deadline: state.deadline,
      timeStatus: state.status,
      timeline: [],
    };
    record(c, SYSTEM, now, 'opened', { department: c.department, level: c.level });
    return c;
  }

  private state(c: RectificationCase, now: number) {
    return this.limits.state(
      { start: c.evaluatedAt, limitDays: c.limitDays, pauses: [], ...(c.region ? { region: c.region } : {}) },
      now,
    );
  }

  /** A case the actor may see; anything else is "not found" (no existence leak). */
  private async load(actor: Actor, id: string): Promise<RectificationCase> {
    const c = await this.docs.get<RectificationCase>(RECTIFICATIONS, id);
    if (!c || !canSeeCase(actor, c)) throw notFound(t(`整改件 ${id}`, `rectification case ${id}`));
    return c;
  }

  private async transition(
    actor: Actor,
    id: string,
    from: RectificationStatus[],
    change: (c: RectificationCase, now: number) => { type: string; data?: Record<string, unknown> },
  ): Promise<RectificationView> {
    await this.load(actor, id);
    const saved = await this.save(id, (c) => {
      if (!canSeeCase(actor, c)) throw notFound(t(`整改件 ${id}`, `rectification case ${id}`));
      if (!from.includes(c.status)) {
        throw stateInvalid(
          t(
            `整改件状态为 ${c.status}，不能进行此操作`,
            `the case is ${c.status}; this needs ${from.join(' or ')}`,
          ),
        );
      }
      const now = this.clock();
      const { type, data } = change(c, now);
      if (OPEN.includes(c.status)) c.timeStatus = this.state(c, now).status;
      record(c, actor, now, type, data);
      return true;
    });
    await this.mirror(saved);
    return this.view(actor, saved);
  }

  /** Load, change, save with compare-and-set; a lost race reloads and tries again. */
  private async save(id: string, change: (c: RectificationCase) => boolean): Promise<RectificationCase> {
    for (let attempt = 0; ; attempt++) {
      const current = await this.docs.get<RectificationCase>(RECTIFICATIONS, id);
      if (!current) throw notFound(t(`整改件 ${id}`, `rectification case ${id}`));
      const draft = structuredClone(current);
      if (!change(draft)) return current;
      try {
        return await this.docs.put(RECTIFICATIONS, draft, current.rev);
      } catch (err) {
        if (err instanceof DocConflictError && attempt < MAX_RETRIES) continue;
        if (err instanceof DocConflictError)
          throw new DomainError(
            'conflict',
            t('整改件已被他人修改，请刷新', 'the case was changed; reload it'),
          );
        throw err;
      }
    }
  }

  /** The application's evaluation shows the case's status (what the applicant's page reads). */
  private async mirror(c: RectificationCase): Promise<void> {
    for (let attempt = 0; attempt <= MAX_RETRIES; attempt++) {
      const app = await this.docs.get<Application>(APPLICATIONS, c.applicationId);
      const evaluation = app?.evaluations.find((e) => e.channel === c.channel);
      if (!app || !evaluation) return;
      const wanted = { dueAt: c.deadline, status: c.status, caseId: c.id };
      const have = evaluation.rectification;
      if (have?.status === wanted.status && have.caseId === wanted.caseId && have.dueAt === wanted.dueAt)
        return;
      evaluation.rectification = wanted;
      try {
        await this.docs.put(APPLICATIONS, app, app.rev);
        return;
      } catch (err) {
        if (!(err instanceof DocConflictError)) throw err;
      }
    }
  }

  private view(actor: Actor, c: RectificationCase): RectificationView {
    const open = OPEN.includes(c.status);
    const live = open ? this.state(c, this.clock()) : undefined;
    const { timeline, contact, ...rest } = c;
    const view: RectificationView = {
      ...rest,
      ...(live ? { timeStatus: live.status, remainingWorkingDays: live.remainingWorkingDays } : {}),
    };
    // The applicant sees the outcome and what was done, not the units' internal notes.
    if (actor.role !== 'applicant') Object.assign(view, { timeline, ...(contact ? { contact } : {}) });
    return view;
  }
}

/**
 * 谁办理、谁负责: a department whose item ran overdue answers for the delay; otherwise the unit of
 * the case's first item (the bundle's lead item). A supervisor can reassign.
 */
export function responsibleDepartment(app: Application): string {
  const late = app.items.find((i) => i.timeStatus === 'red');
  return late?.department ?? app.items[0]?.department ?? 'window';
}

/**
 * The region of the office answering for a department's part of the application: the one that
 * decided its item (the overdue one first, as `responsibleDepartment` picks), else the accepting
 * district (a unit without an item, such as the window).
 */
function officeOf(app: Application, department: string): string | undefined {
  const items = app.items.filter((i) => i.department === department);
  const item = items.find((i) => i.timeStatus === 'red') ?? items[0];
  return item ? deciderRegionOf(app, item) : app.region;
}

/** Equality filters of the cases the actor may list (the department's as its task inbox: scope.ts taskScope). */
function scopeOf(actor: Actor): Record<string, string> {
  switch (actor.role) {
    case 'department':
      return { department: actor.department ?? '', ...(actor.region ? { deciderRegion: actor.region } : {}) };
    case 'supervisor':
    case 'applicant':
      return listScope(actor);
    default:
      throw forbidden(t('无权查看差评整改', 'you may not see rectification cases'));
  }
}

function canSeeCase(actor: Actor, c: RectificationCase): boolean {
  switch (actor.role) {
    case 'department':
      return (
        !!actor.department &&
        c.department === actor.department &&
        (!actor.region || c.deciderRegion === actor.region)
      );
    case 'applicant':
      return !!c.applicantUserId && c.applicantUserId === actor.userId;
    case 'supervisor':
      return inRegion(actor, c);
    default:
      return false;
  }
}

function optionalText(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim().slice(0, 2000) : undefined;
}
