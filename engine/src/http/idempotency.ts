/**
 * Idempotency-Key on POSTs (draft-ietf-httpapi-idempotency-key-header): the first request with a
 * key runs and its response (below 500) is stored in the DocStore collection `idempotency`; the
 * same user sending the same key with the same method, path and body gets that response again,
 * with a different body a 422, and while the first is still running a 409. Keys are per user.
 * The path is the full one the client sent (fingerprintPath), not the router's relative req.path.
 */
import { canonicalJson, sha256Hex } from '../audit/canonical.js';
import { DocConflictError, type Doc, type DocStore, type DocWrite } from '../domain/docs.js';
import { HttpProblem, toProblem } from './problem.js';

export const IDEMPOTENCY = 'idempotency';
export const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * The path a request's fingerprint takes: the full path the client sent, without the query.
 * Inside a router `req.path` is relative to its mount point, so two routes mounted at different
 * prefixes (POST /api/a/items, POST /api/b/items) would share a fingerprint, and a key sent to
 * the one would replay the other's response.
 */
export function fingerprintPath(req: { originalUrl: string }): string {
  const query = req.originalUrl.indexOf('?');
  return query < 0 ? req.originalUrl : req.originalUrl.slice(0, query);
}

export interface StoredResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

interface IdempotencyRecord extends Doc {
  userId: string;
  fingerprint: string;
  state: 'pending' | 'done' | 'failed';
  createdAt: number;
  expiresAt: number;
  response?: StoredResponse;
}

export interface Lease {
  record: IdempotencyRecord;
}

export type Begin = { replay: StoredResponse } | { lease: Lease };

export class IdempotencyStore {
  constructor(
    private readonly docs: DocStore,
    private readonly clock: () => number = Date.now,
    private readonly ttlMs = 24 * 3600 * 1000,
    /** A pending record older than this is taken to be a crashed request and may be retried. */
    private readonly staleMs = 60 * 1000,
  ) {}

  /** `request.path` is the full path (fingerprintPath(req)), never a router's relative req.path. */
  async begin(
    userId: string,
    key: string,
    request: { method: string; path: string; body: unknown },
  ): Promise<Begin> {
    if (!KEY_PATTERN.test(key)) {
      throw new HttpProblem(
        'bad-request',
        {
          zh: 'Idempotency-Key 须为 1–255 个可见 ASCII 字符',
          en: 'Idempotency-Key must be 1–255 visible ASCII characters',
        },
        [{ field: 'header.Idempotency-Key', message: { zh: '格式不正确', en: 'is malformed' } }],
      );
    }
    const id = sha256Hex(`${userId}\u0000${key}`);
    const fingerprint = sha256Hex(
      `${request.method} ${request.path}\n${canonicalJson(request.body ?? null)}`,
    );
    const now = this.clock();
    const existing = await this.docs.get<IdempotencyRecord>(IDEMPOTENCY, id);
    if (existing && existing.expiresAt > now) {
      if (existing.fingerprint !== fingerprint) {
        throw new HttpProblem(
          'idempotency-key-reused',
          {
            zh: '此幂等键已用于另一个请求（请求体或路径不同）；请换一个新的键',
            en: 'this Idempotency-Key was used for a different request (other body or path); use a new key',
          },
          [
            {
              field: 'header.Idempotency-Key',
              message: { zh: '已用于另一个请求', en: 'already used for a different request' },
            },
          ],
        );
      }
      if (existing.state === 'done' && existing.response) return { replay: existing.response };
      if (existing.state === 'pending' && existing.createdAt > now - this.staleMs) throw inProgress();
    }
    const record: IdempotencyRecord = {
      id,
      rev: existing?.rev ?? 0,
      userId,
      fingerprint,
      state: 'pending',
      createdAt: now,
      expiresAt: now + this.ttlMs,
    };
    try {
      return { lease: { record: await this.docs.put(IDEMPOTENCY, record, existing?.rev ?? 0) } };
    } catch (err) {
      if (err instanceof DocConflictError) throw inProgress();
      throw err;
    }
  }

  /**
   * Settles the record of a command whose process died (audit/journal.ts recovery): one that
   * committed answers its retries 409 applied-response-lost (the change stands, its response is
   * gone: read the target); one that never wrote may be retried at once.
   */
  async settle(id: string, outcome: { committed: boolean; target: string }): Promise<void> {
    const record = await this.docs.get<IdempotencyRecord>(IDEMPOTENCY, id);
    if (!record || record.state !== 'pending') return;
    const final: IdempotencyRecord = outcome.committed
      ? { ...record, state: 'done', response: appliedResponseLost(outcome.target) }
      : { ...record, state: 'failed' };
    await this.docs.put(IDEMPOTENCY, final, record.rev).catch((err) => {
      if (!(err instanceof DocConflictError)) throw err; // a retry took it over meanwhile
    });
  }

  async complete(lease: Lease, response: StoredResponse): Promise<void> {
    const { doc, expectedRev } = completion(lease, response);
    await this.docs.put(IDEMPOTENCY, doc, expectedRev).catch((err) => {
      if (!(err instanceof DocConflictError)) throw err; // taken over as stale meanwhile: theirs stands
    });
  }
}

/**
 * The write that settles a lease with its response (a 5xx leaves it failed: a retry runs again).
 * A journaled command commits it with its audit entry (CommandJournal.complete), so no crash can
 * leave the entry written and the key pending — a pending key is taken over after `staleMs`, and
 * the retry would run the command a second time.
 */
export function completion(lease: Lease, response: StoredResponse): DocWrite & { expectedRev: number } {
  const { record } = lease;
  const doc =
    response.status >= 500
      ? { ...record, state: 'failed' as const }
      : { ...record, state: 'done' as const, response };
  return { collection: IDEMPOTENCY, doc, expectedRev: record.rev };
}

export function appliedResponseLost(target: string): StoredResponse {
  const { body, status } = toProblem(
    new HttpProblem('applied-response-lost', {
      zh: `此请求已执行（${target}），但服务中断使其响应丢失；请查询其当前状态，勿再提交`,
      en: `this request was carried out (${target}) but its response was lost in an outage; read its current state instead of sending it again`,
    }),
    'zh',
  );
  return { status, body: { ...body, target }, headers: {} };
}

const inProgress = () =>
  new HttpProblem(
    'idempotency-in-progress',
    {
      zh: '使用同一幂等键的请求仍在处理，请稍后重试',
      en: 'a request with this Idempotency-Key is still being processed; retry shortly',
    },
    [],
    { 'Retry-After': '1' },
  );
