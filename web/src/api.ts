/**
 * The browser's client for the centre's HTTP API: bearer token from the log-in, the reader's
 * language in Accept-Language, an Idempotency-Key on every command (a double click or a retry
 * after a dropped connection does the command once), problem+json errors as ApiError.
 */
import type {
  ApplicationFilter,
  DepartmentTask,
  MaterialInput,
  CommitmentInput,
  Page,
  TaskFilter,
} from '../../engine/src/applications/api.js';
import type {
  Application,
  Applicant,
  Evaluation,
  MaterialEntry,
  NoticeEntry,
} from '../../engine/src/applications/types.js';
import type { BundleSummary } from '../../engine/src/bundles/registry.js';
import type { LicenceDoc } from '../../engine/src/applications/licence-library.js';
import type { Actor } from '../../engine/src/domain/actor.js';
import type { MergeResult } from '../../forms/src/merge/index.js';
import type { Guide } from '../../engine/src/network/guide.js';
import type { Appointment, SlotView } from '../../engine/src/network/appointments.js';
import { ApiError, type Lang, type ProblemBody } from './lib/problems.js';

export type {
  Application,
  Applicant,
  BundleSummary,
  DepartmentTask,
  Evaluation,
  LicenceDoc,
  MaterialEntry,
  MaterialInput,
  CommitmentInput,
  NoticeEntry,
  Actor,
  MergeResult,
  Page,
};

export interface Session {
  token: string;
  user: Actor;
  expiresAt: number;
}

export interface BundleDetail {
  code: string;
  version: number;
  definition: {
    code: string;
    name: { zh: string; en: string };
    promisedDays: number;
    leadDepartment: string;
    departments: { code: string; name: { zh: string; en: string }; kind?: string }[];
    questions: {
      id: string;
      label: { zh: string; en: string };
      type: string;
      options?: { value: string; label: { zh: string; en: string } }[];
    }[];
    items: { code: string; name: { zh: string; en: string }; department: string; promisedDays: number }[];
    materials?: { id: string; name: { zh: string; en: string }; source?: string; eLicenceType?: string }[];
  };
}

export interface Incident {
  instanceId: string;
  processId: string;
  version: number;
  businessKey?: string;
  incident?: { elementId?: string; elementType?: string; code?: string; message?: string; at?: number };
  updatedAt?: number;
}

const SESSION_KEY = 'onething.session';

function newKey(): string {
  if (globalThis.crypto?.randomUUID) return globalThis.crypto.randomUUID();
  return `k-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

export class Api {
  session: Session | null;
  lang: Lang = 'zh';
  /**
   * Idempotency keys of commands whose answer never arrived (the connection dropped): the same
   * command sent again is the same logical command and goes with the same key, so the server does
   * it once and answers the retry with the first answer. An answer that settles it ends it.
   */
  private readonly unanswered = new Map<string, string>();
  /** Called when the server says the token is no longer good (401). */
  onUnauthorized: () => void = () => {};

  constructor(private readonly storage: Storage | undefined = globalThis.sessionStorage) {
    this.session = null;
    try {
      const raw = storage?.getItem(SESSION_KEY);
      const parsed = raw ? (JSON.parse(raw) as Session) : null;
      if (parsed && parsed.expiresAt > Date.now()) this.session = parsed;
    } catch {
      this.session = null;
    }
  }

  async request<T>(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'Accept-Language': this.lang === 'en' ? 'en' : 'zh-CN',
    };
    if (this.session) headers.Authorization = `Bearer ${this.session.token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const command = `${method} ${path} ${JSON.stringify(body ?? null)}`;
    const idempotent = method !== 'GET' && !path.startsWith('/api/auth/');
    if (idempotent) {
      const key = this.unanswered.get(command) ?? newKey();
      this.unanswered.set(command, key);
      headers['Idempotency-Key'] = key;
    }
    let res: Response;
    try {
      res = await fetch(path, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (err) {
      throw networkError(err instanceof Error ? err.message : String(err));
    }
    const text = await res.text();
    const json = parseJson(text);
    if (idempotent && settles(res.status, json)) this.unanswered.delete(command);
    if (!res.ok) {
      if (res.status === 401 && this.session && !path.startsWith('/api/auth/')) this.onUnauthorized();
      throw new ApiError(res.status, problemOf(json, res.status, text));
    }
    return json as T;
  }

  // ── session ──
  async login(username: string, password: string): Promise<Session> {
    const r = await this.request<{ access_token: string; expires_in: number; user: Actor }>(
      'POST',
      '/api/auth/token',
      { username, password },
    );
    this.session = { token: r.access_token, user: r.user, expiresAt: Date.now() + r.expires_in * 1000 };
    this.storage?.setItem(SESSION_KEY, JSON.stringify(this.session));
    return this.session;
  }

  /** Forgets the session; `revoke` also asks the server to revoke the token (a stolen copy dies with it). */
  logout(revoke = true): void {
    const token = this.session?.token;
    this.session = null;
    this.storage?.removeItem(SESSION_KEY);
    if (revoke && token) {
      // Best effort: the user is signed out here whatever the server answers.
      void fetch('/api/auth/logout', { method: 'POST', headers: { Authorization: `Bearer ${token}` } }).catch(
        () => undefined,
      );
    }
  }

  // ── bundles ──
  bundles = () => this.request<{ items: BundleSummary[] }>('GET', '/api/bundles').then((r) => r.items);
  bundle = (code: string) => this.request<BundleDetail>('GET', `/api/bundles/${encodeURIComponent(code)}`);
  form = (code: string, answers: Record<string, unknown>) =>
    this.request<MergeResult>('POST', `/api/bundles/${encodeURIComponent(code)}/form`, { answers });

  // ── public guides (一次告知, no sign-in) ──
  guides = () =>
    this.request<{
      items: {
        code: string;
        version: number;
        name: BundleSummary['name'];
        promisedDays: number;
        items: { code: string; name: BundleSummary['name'] }[];
      }[];
    }>('GET', '/api/guides').then((r) => r.items);
  guide = (code: string, answers: Record<string, unknown>) =>
    this.request<Guide>(
      'GET',
      `/api/guides/${encodeURIComponent(code)}${query({ answers: Object.keys(answers).length ? JSON.stringify(answers) : undefined })}`,
    );

  // ── appointments (统一预约) ──
  venues = (bundle: string) =>
    this.request<{
      items: { id: string; name: BundleSummary['name']; windowTypes: string[]; appointments: boolean }[];
    }>('GET', `/api/network/venues${query({ bundle })}`).then((r) => r.items);
  slots = (venue: string, windowType: string, date: string) =>
    this.request<{ items: SlotView[] }>(
      'GET',
      `/api/appointments/slots${query({ venue, windowType, date })}`,
    ).then((r) => r.items);
  book = (input: { venue: string; windowType: string; date: string; start: string; bundleCode?: string }) =>
    this.request<Appointment>('POST', '/api/appointments', input);
  appointments = () =>
    this.request<{ items: Appointment[] }>('GET', '/api/appointments').then((r) => r.items);

  // ── applications ──
  createApplication = (input: {
    bundleCode: string;
    answers: Record<string, unknown>;
    applicant: Applicant;
    data?: Record<string, unknown>;
  }) => this.request<Application>('POST', '/api/applications', input);
  /** `applicant`: a correction of the applicant given on create (checked again by the server). */
  updateApplication = (
    id: string,
    input: { answers?: Record<string, unknown>; data?: Record<string, unknown>; applicant?: Applicant },
  ) => this.request<Application>('PATCH', `/api/applications/${encodeURIComponent(id)}`, input);
  application = (id: string) =>
    this.request<Application>('GET', `/api/applications/${encodeURIComponent(id)}`);
  applications = (filter: ApplicationFilter = {}) =>
    this.request<Page<Application>>('GET', `/api/applications${query(filter)}`);
  private act = (id: string, action: string, body: unknown = {}) =>
    this.request<Application>('POST', `/api/applications/${encodeURIComponent(id)}/${action}`, body);
  submit = (id: string) => this.act(id, 'submit');
  accept = (
    id: string,
    input: { materials: MaterialInput[]; commitments?: CommitmentInput[]; deferralDays?: number },
  ) => this.act(id, 'accept', input);
  returnForCorrection = (id: string, entries: NoticeEntry[]) => this.act(id, 'return', { entries });
  refuse = (id: string, reason: string) => this.act(id, 'refuse', { reason });
  issueNotice = (id: string) => this.act(id, 'notice');
  supplement = (id: string, input: { data?: Record<string, unknown>; materials?: MaterialInput[] }) =>
    this.act(id, 'supplement', input);
  /** 出件; with `items`, only those (分批出件). */
  deliver = (id: string, channel: 'window' | 'post' | 'electronic', items?: string[]) =>
    this.act(id, 'deliver', { channel, ...(items ? { items } : {}) });
  evaluate = (
    id: string,
    input: {
      channel: Evaluation['channel'];
      level: number;
      indicators?: Record<string, number>;
      comment?: string;
    },
  ) => this.act(id, 'evaluation', input);

  /** Every page of a cursor list (bounded), for the clerk's overview and the dashboard. */
  async all<T>(
    fetchPage: (after?: string) => Promise<Page<T>>,
    maxPages = 50,
  ): Promise<{ items: T[]; complete: boolean }> {
    const items: T[] = [];
    let after: string | undefined;
    for (let i = 0; i < maxPages; i++) {
      const page = await fetchPage(after);
      items.push(...page.items);
      if (!page.next) return { items, complete: true };
      after = page.next;
    }
    return { items, complete: false };
  }

  // ── material files (材料文件) ──
  private materialFilePath = (id: string, materialId: string) =>
    `/api/applications/${encodeURIComponent(id)}/materials/${encodeURIComponent(materialId)}/file`;

  /**
   * Uploads the file of one material: the raw body with the file's type, its name in
   * Content-Disposition. XMLHttpRequest rather than fetch because only it reports upload progress.
   */
  uploadMaterialFile(
    id: string,
    materialId: string,
    file: File,
    onProgress: (fraction: number) => void = () => {},
  ): Promise<MaterialEntry> {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('PUT', this.materialFilePath(id, materialId));
      xhr.setRequestHeader('Accept', 'application/json');
      xhr.setRequestHeader('Accept-Language', this.lang === 'en' ? 'en' : 'zh-CN');
      if (this.session) xhr.setRequestHeader('Authorization', `Bearer ${this.session.token}`);
      xhr.setRequestHeader('Content-Type', mediaTypeOf(file));
      xhr.setRequestHeader(
        'Content-Disposition',
        `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`,
      );
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
      };
      xhr.onerror = () => reject(networkError('upload failed'));
      xhr.onload = () => {
        const json = parseJson(xhr.responseText);
        if (xhr.status >= 200 && xhr.status < 300) return resolve(json as MaterialEntry);
        if (xhr.status === 401 && this.session) this.onUnauthorized();
        reject(new ApiError(xhr.status, problemOf(json, xhr.status, xhr.responseText)));
      };
      xhr.send(file);
    });
  }

  /** The stored file of a material (the GET needs the token, so it is fetched as a blob, not linked). */
  async materialFile(id: string, materialId: string): Promise<Blob> {
    const headers: Record<string, string> = {
      'Accept-Language': this.lang === 'en' ? 'en' : 'zh-CN',
    };
    if (this.session) headers.Authorization = `Bearer ${this.session.token}`;
    let res: Response;
    try {
      res = await fetch(this.materialFilePath(id, materialId), { headers });
    } catch (err) {
      throw networkError(err instanceof Error ? err.message : String(err));
    }
    if (res.ok) return res.blob();
    const text = await res.text();
    const json = parseJson(text);
    if (res.status === 401 && this.session) this.onUnauthorized();
    throw new ApiError(res.status, problemOf(json, res.status, text));
  }

  // ── department inbox ──
  tasks = (filter: TaskFilter = {}) =>
    this.request<Page<DepartmentTask>>('GET', `/api/tasks${query(filter)}`);
  task = (id: string) => this.request<DepartmentTask>('GET', `/api/tasks/${encodeURIComponent(id)}`);
  private taskAct = (id: string, action: string, body: unknown = {}) =>
    this.request<DepartmentTask>('POST', `/api/tasks/${encodeURIComponent(id)}/${action}`, body);
  claim = (id: string) => this.taskAct(id, 'claim');
  approve = (
    id: string,
    input: {
      resultNumber?: string;
      /** The item's declared results by key (DepartmentTask.outputs), each required. */
      outputs?: Record<string, string>;
      licence?: { typeCode: string; validTo?: string };
      comment?: string;
    },
  ) => this.taskAct(id, 'approve', input);
  reject = (id: string, reason: string) => this.taskAct(id, 'reject', { reason });
  requestSupplement = (id: string, entries: NoticeEntry[]) =>
    this.taskAct(id, 'request-supplement', { entries });
  /** Takes back the item's unanswered supplement requests: the item is under review again. */
  withdrawSupplement = (id: string) => this.taskAct(id, 'withdraw-supplement');
  postCheck = (id: string, result: 'confirmed' | 'false' | 'unverifiable') =>
    this.taskAct(id, 'post-check', { result });

  // ── e-licences, supervision ──
  licences = (holderId: string) =>
    this.request<{ items: LicenceDoc[] }>('POST', '/api/licences/search', { holderId }).then((r) => r.items);
  incidents = (after?: string) =>
    this.request<Page<Incident>>('GET', `/api/incidents${query({ limit: 100, after })}`);
  metrics = () =>
    this.request<{
      applications: {
        total: number;
        byStatus: Record<string, number>;
        byTimeStatus: Record<string, number>;
        complete: boolean;
      };
      incidents: number;
    }>('GET', '/api/metrics');
}

/** Browsers leave the type empty for names they do not know (.ofd): the extension decides then. */
const TYPES_BY_EXTENSION: Record<string, string> = {
  pdf: 'application/pdf',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  ofd: 'application/ofd',
};
function mediaTypeOf(file: File): string {
  const ext = file.name.split('.').pop()?.toLowerCase() ?? '';
  return file.type || TYPES_BY_EXTENSION[ext] || 'application/octet-stream';
}

function networkError(detail: string): ApiError {
  return new ApiError(0, {
    title: 'network',
    zh: { title: '无法连接服务器', detail: '请检查网络后重试' },
    en: { title: 'Cannot reach the server', detail: 'check the network and try again' },
    detail,
    errors: [],
  });
}

/**
 * Whether an answer settles a command: not a server failure (the server keeps no answer for it)
 * nor "a request with this key is still running" (409), after which the same key is tried again.
 */
function settles(status: number, json: unknown): boolean {
  const type = String((json as ProblemBody | undefined)?.type ?? '');
  return status < 500 && !(status === 409 && type.endsWith('idempotency-in-progress'));
}

/** The body as JSON, or undefined when it is empty or not JSON. */
function parseJson(text: string): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return undefined;
  }
}

/** The problem+json body, or a stand-in when the answer was not one (a proxy's HTML page). */
function problemOf(json: unknown, status: number, text: string): ProblemBody {
  return (
    json && typeof json === 'object' ? json : { title: `HTTP ${status}`, detail: text.slice(0, 200) }
  ) as ProblemBody;
}

function query(params: object): string {
  const entries = Object.entries(params).filter(([, v]) => v !== undefined && v !== '');
  return entries.length ? `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString()}` : '';
}
