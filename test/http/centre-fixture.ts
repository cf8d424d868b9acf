/**
 * The real service centre behind the HTTP app, on a clock the test moves: the example bundles
 * deployed over HTTP by the analyst, and helpers that drive a case to a given state over HTTP.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { samples } from '../../forms/src/testing/samples.js';
import { Centre } from '../../engine/src/applications/centre.js';
import { workingTimeLimits } from '../../engine/src/applications/working-time.js';
import { MemoryDocStore, type DocStore } from '../../engine/src/domain/docs.js';
import { openDocStore } from '../../engine/src/domain/open-docs.js';
import { createEngine } from '../../engine/src/index.js';
import { loadNetworkFile, ZHUHAI_NETWORK_FILE } from '../../engine/src/network/index.js';
import { MemoryStore, openStore, type Store } from '../../engine/src/store/index.js';
import { uploadStoreBeside } from '../../forms/src/uploads/index.js';
import { freshDbUri } from '../support/mongo.js';
import { approvalOf } from '../../engine/src/testing/item-outputs.js';
import { startServer, type TestServer } from './support.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies of the API under test
type Json = any;

// Monday 2026-11-23 09:00 CST
export const T0 = Date.UTC(2026, 10, 23, 1, 0);
export const DAY = 86_400_000;
export const APPLICANT_ID = '440402199003071232';
export const APPLICANT_PHONE = '13800138000';

export const example = (code: string) => ({
  bundle: JSON.parse(readFileSync(new URL(`../../examples/${code}/bundle.json`, import.meta.url), 'utf8')),
  xml: readFileSync(new URL(`../../examples/${code}/process.bpmn`, import.meta.url), 'utf8'),
});

export const { situation: ANSWERS, ...DATA } = samples['business-startup']!;

export const DEPARTMENT_OF: Record<string, string> = {
  'enterprise-registration': 'market-regulation',
  'seal-filing': 'public-security',
  'new-taxpayer': 'tax',
  'employer-social-insurance': 'hrss',
  'employer-medical-insurance': 'medical-security',
  'housing-fund-account': 'housing-fund',
  'bank-appointment': 'bank',
};

export interface CentreServer extends TestServer {
  centre: Centre;
  advance(ms: number): void;
  now(): number;
  /** Asserts a 2xx and returns the body. */
  ok<T = Json>(method: string, path: string, options?: Parameters<TestServer['call']>[2]): Promise<T>;
  /** A business-startup case for applicant1 created by clerk1, driven to `state`. */
  caseIn(
    state: 'draft' | 'submitted' | 'accepted' | 'results-ready' | 'delivered' | 'on-commitment',
  ): Promise<string>;
}

export const taskId = (appId: string, item: string) => `${appId}:${item}`;

/**
 * With `sqlite`, the engine store and the DocStore live in one SQLite file in a temporary folder;
 * with `mongo`, in a fresh database on the MongoDB test server. With `uploads`, material files are
 * kept as the server keeps them: files in that folder beside SQLite, GridFS beside MongoDB.
 */
export async function startCentreServer(
  options: {
    bundles?: string[];
    sqlite?: boolean;
    mongo?: boolean;
    uploads?: boolean;
    dataDir?: string;
    /** A document store without atomic batches (no writeAll), as MongoDB without a replica set is. */
    withoutBatches?: boolean;
  } = {},
): Promise<CentreServer & { dataDir: string; store: Store }> {
  const bundles = options.bundles ?? ['business-startup'];
  let now = T0;
  const clock = () => now;
  // A given data directory: a centre restored from a backup (pass `bundles: []`, they are in it).
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'onething-http-'));
  const store = options.mongo
    ? await openStore({ MONGODB_URI: freshDbUri('http-centre') })
    : options.sqlite
      ? await openStore({ ONETHING_DB: join(dataDir, 'test.db') })
      : new MemoryStore();
  const opened = options.sqlite || options.mongo ? await openDocStore(store) : new MemoryDocStore();
  const docs = options.withoutBatches ? withoutBatches(opened) : opened;
  const uploads = options.uploads ? await uploadStoreBeside(store, dataDir) : undefined;
  const engine = createEngine({ clock, store });
  // The Zhuhai service network, as the server has it: cases are routed to the competent office (属地).
  const centre = new Centre({
    engine,
    docs,
    timeLimits: workingTimeLimits(),
    clock,
    defaultDeferralDays: 5,
    network: loadNetworkFile(ZHUHAI_NETWORK_FILE),
  });
  const s = await startServer({ centre, docs, engine, clock, ...(uploads ? { uploads } : {}) });
  const ok: CentreServer['ok'] = async (method, path, options) => {
    const res = await s.call(method, path, options);
    if (res.status >= 300)
      throw new Error(`${method} ${path} as ${options?.as}: ${res.status} ${res.text.slice(0, 600)}`);
    return res.body;
  };
  for (const code of bundles) await ok('POST', '/api/bundles', { as: 'analyst1', body: example(code) });

  const caseIn: CentreServer['caseIn'] = async (state) => {
    const app = await ok('POST', '/api/applications', {
      as: 'clerk1',
      body: {
        bundleCode: 'business-startup',
        answers: ANSWERS,
        data: DATA,
        applicant: {
          kind: 'person',
          name: '张三',
          idNumber: APPLICANT_ID,
          phone: APPLICANT_PHONE,
          userId: 'applicant1',
        },
      },
    });
    if (state === 'draft') return app.id;
    await ok('POST', `/api/applications/${app.id}/submit`, { as: 'clerk1' });
    if (state === 'submitted') return app.id;
    const commitment = state === 'on-commitment';
    await ok('POST', `/api/applications/${app.id}/accept`, {
      as: 'clerk1',
      body: {
        materials: [
          { id: 'identityProof', status: 'provided' },
          { id: 'premisesProof', status: commitment ? 'commitment' : 'provided' },
        ],
        ...(commitment
          ? {
              commitments: [
                { kind: 'proof', materials: ['premisesProof'], signer: '张三', text: '本人承诺住所真实' },
              ],
            }
          : {}),
      },
    });
    if (commitment) {
      await ok('POST', `/api/tasks/${taskId(app.id, 'enterprise-registration')}/approve`, {
        as: 'market-regulation1',
        body: approvalOf('enterprise-registration'),
      });
      return app.id;
    }
    if (state === 'accepted') return app.id;
    await ok('POST', `/api/tasks/${taskId(app.id, 'enterprise-registration')}/reject`, {
      as: 'market-regulation1',
      body: { reason: '名称与已登记企业重复' },
    });
    if (state === 'results-ready') return app.id;
    await ok('POST', `/api/applications/${app.id}/deliver`, { as: 'clerk1', body: { channel: 'window' } });
    return app.id;
  };
  const close = async () => {
    await s.close();
    await uploads?.close();
    await store.close();
    (docs as { close?: () => void }).close?.();
  };
  return { ...s, close, centre, dataDir, store, advance: (ms) => (now += ms), now: () => now, ok, caseIn };
}

/** `docs` with every method but writeAll: Centre then writes a case and its rows one after another. */
function withoutBatches(docs: DocStore): DocStore {
  return {
    put: (c, d, r) => docs.put(c, d, r),
    replace: (c, d) => docs.replace(c, d),
    get: (c, id) => docs.get(c, id),
    find: (c, q) => docs.find(c, q),
    count: (c, w) => docs.count(c, w),
    ...(docs.revOf ? { revOf: (c: string, id: string) => docs.revOf!(c, id) } : {}),
  };
}
