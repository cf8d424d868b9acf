/**
 * `npm start`: the service centre on one port. Opens the store (SQLite at data/onething.db, or
 * MongoDB with MONGODB_URI) and the document store beside it, recovers interrupted engine work,
 * deploys the example bundles on first start, runs due jobs and the centre's sweep every few
 * seconds, serves the API and the built web and designer apps, and stops cleanly on SIGTERM.
 *
 * Environment: PORT (3000), HOST (0.0.0.0), ONETHING_DB, MONGODB_URI, ONETHING_DATA_DIR (data),
 * ONETHING_JWT_SECRET, ONETHING_TOKEN_TTL (seconds, 28800), ONETHING_USERS_FILE,
 * ONETHING_CORS_ORIGINS (comma-separated; CORS is off without it), ONETHING_TICK_MS (5000),
 * ONETHING_EXAMPLES_DIR (examples), ONETHING_CONNECTOR_ORIGINS (department systems connector tasks may
 * call, comma-separated origins; none without it), LOG_LEVEL (info), ONETHING_RATE_LIMITS and
 * ONETHING_RATE_LIMIT_* (http/rate-limit.ts), ONETHING_TRUST_PROXY (express 'trust proxy').
 * An empty variable counts as unset; one set to a value not understood stops start-up, naming it
 * (config.ts). Without ONETHING_DATA_KEY or data/data.key, a store holding sealed data does too.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { APPLICATIONS, Centre, DEFAULT_RECTIFICATION_DAYS } from './applications/centre.js';
import type { LicenceKeys } from './applications/licence-library.js';
import { RectificationDesk } from './applications/rectification.js';
import { APPLICATION_STATUSES } from './applications/types.js';
import { workingTimeLimits } from './applications/working-time.js';
import { AuditLog } from './audit/index.js';
import type { BundleRegistry } from './bundles/registry.js';
import { logLevelOf, serverConfig } from './config.js';
import { CommandJournal } from './audit/journal.js';
import type { Actor } from './domain/actor.js';
import type { DocStore } from './domain/docs.js';
import { DomainError } from './domain/errors.js';
import { DOC_INDEXES, openDocStore } from './domain/open-docs.js';
import { RevCachedDocStore } from './domain/rev-cache.js';
import { openDataKeys, warnIfReadableByOthers } from './security/data-key.js';
import { EncryptingDocStore, defaultEncryptionPolicy } from './security/encryption.js';
import { resealIfStale } from './security/reseal.js';
import { sharedCounts } from './http/shared-counts.js';
import { onePerTurn } from './http/admission.js';
import { createApp } from './http/app.js';
import { createNetworkServices } from './network/http.js';
import { loadNetworkFile, ZHUHAI_NETWORK_FILE } from './network/index.js';
import { loadJwtSecret, TokenService } from './http/auth/tokens.js';
import { UserDirectory } from './http/auth/users.js';
import { createLogger, type Logger } from './http/logging.js';
import { createEngine } from './index.js';
import { ConnectorRunner } from './jobs/connector-runner.js';
import { openStore } from './store/index.js';
import { uploadStoreBeside } from '../../forms/src/uploads/index.js';

const SYSTEM: Actor = { userId: 'system', name: '系统（启动时部署示例）', role: 'analyst' };
export interface RunningServer {
  url: string;
  server: Server;
  stop(): Promise<void>;
}

/** The e-licence issuer key, generated once into the data directory so licences verify after a restart. */
export function loadLicenceKeys(dataDir: string, logger: Logger): LicenceKeys {
  const file = join(dataDir, 'licence-issuer.pem');
  let privateKey: KeyObject;
  if (existsSync(file)) {
    warnIfReadableByOthers(file, (m) => logger.warn(m));
    privateKey = createPrivateKey(readFileSync(file, 'utf8'));
  } else {
    privateKey = generateKeyPairSync('ed25519').privateKey;
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    try {
      writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
      logger.warn(`generated the e-licence signing key into ${file}`);
    } catch (err) {
      // Another engine process created it first: everyone signs with that one.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      privateKey = createPrivateKey(readFileSync(file, 'utf8'));
    }
  }
  const keyId = `centre-${createPublicKey(privateKey).export({ type: 'spki', format: 'der' }).subarray(-8).toString('hex')}`;
  return { issuer: { keyId, privateKey }, trusted: new Map([[keyId, createPublicKey(privateKey)]]) };
}

/** Deploys each examples/<name>/ (bundle.json + process.bpmn) whose bundle code is not deployed yet. */
export async function seedExamples(
  centre: Centre,
  audit: AuditLog,
  dir: string,
  logger: Logger,
): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const deployed: string[] = [];
  for (const name of readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()) {
    const folder = join(dir, name);
    if (!existsSync(join(folder, 'bundle.json')) || !existsSync(join(folder, 'process.bpmn'))) {
      logger.info({ folder }, 'example skipped: it needs bundle.json and process.bpmn');
      continue;
    }
    try {
      const bundle = JSON.parse(readFileSync(join(folder, 'bundle.json'), 'utf8')) as { code?: string };
      if (bundle.code && (await centre.bundles.latest(bundle.code, true))) continue;
      const summary = await centre.deployBundle(SYSTEM, {
        bundle,
        xml: readFileSync(join(folder, 'process.bpmn'), 'utf8'),
      });
      await audit.append({
        actor: { userId: SYSTEM.userId, role: SYSTEM.role },
        action: 'bundles.seed',
        target: `bundle:${summary.code}@${summary.version}`,
        outcome: 'ok',
      });
      deployed.push(`${summary.code}@${summary.version}`);
    } catch (err) {
      const problems =
        err instanceof DomainError ? err.fieldErrors.map((f) => `${f.field}: ${f.message.en}`) : undefined;
      logger.warn(
        { folder, err: err instanceof DomainError ? err.text.en : err, problems },
        'example bundle not deployed',
      );
    }
  }
  if (deployed.length) logger.info({ deployed }, 'example bundles deployed');
  return deployed;
}

/**
 * Warns of each pattern of an active bundle version that deploy refuses now (a version deployed
 * before bundle patterns ran on the linear-time engine), naming the bundle, version, item and
 * field, and what to redeploy. How many there are.
 */
export async function warnOfPatternsToRedeploy(bundles: BundleRegistry, logger: Logger): Promise<number> {
  const found = await bundles.patternsToRedeploy();
  for (const p of found) {
    const { code, version, item, field, output, pattern } = p;
    logger.warn(
      { bundle: code, version, item, ...(field ? { field } : { output }), pattern },
      `${p.message.zh} / ${p.message.en}`,
    );
  }
  return found.length;
}

async function countByStatus(docs: DocStore): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const status of APPLICATION_STATUSES) out[status] = await docs.count(APPLICATIONS, { status });
  return out;
}

export async function start(
  env: NodeJS.ProcessEnv = process.env,
  logger: Logger = createLogger({ level: logLevelOf(env) }),
): Promise<RunningServer> {
  // Every setting is checked here, before anything is opened: a bad one stops start-up, naming it.
  const config = serverConfig(env);
  const dataDir = config.dataDir;
  // The data directory holds every case and the keys: its owner alone may enter it.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const store = await openStore(env);
  // Sensitive values (ID numbers, phones, bank accounts) are encrypted at rest (AES-256-GCM).
  // `stored` holds them sealed: the supervisor figures read it (sealedDocs), showing none of them.
  const stored = await openDocStore(store);
  // No new key is made for a store holding values sealed with another (restored without its key).
  const dataKeys = await openDataKeys(dataDir, env, (m) => logger.warn(m), stored).catch(async (err) => {
    await store.close();
    (stored as { close?: () => unknown }).close?.();
    throw err;
  });
  const encrypting = new EncryptingDocStore(stored, dataKeys, defaultEncryptionPolicy(), DOC_INDEXES);
  // Case records as this process last committed them, read back by rev (domain/rev-cache.ts).
  const cached = new RevCachedDocStore(encrypting, new Set([APPLICATIONS]));
  // Commands write through the journal's view: a crash cannot part a change from its audit entry.
  const audit = new AuditLog(cached);
  const journal = new CommandJournal(cached, audit);
  const docs = journal.docs;
  // Material files: under <data>/uploads beside SQLite, in GridFS on the MongoDB store's connection;
  // encrypted at rest with the same data key.
  const uploads = await uploadStoreBeside(store, dataDir, undefined, dataKeys);
  const engine = createEngine({ store });
  // An instance whose follow-ups still fail does not keep the centre closed: the tick tries it again.
  await engine.recover().then(
    (recovered) => {
      if (recovered) logger.info({ recovered }, 'finished engine work a previous run left half done');
    },
    (err: unknown) => logger.error({ err }, 'engine work a previous run left half done failed again'),
  );
  // The service network (regions, venues, windows): a deployment replaces the shipped Zhuhai file.
  const serviceNetwork = loadNetworkFile(env.ONETHING_NETWORK_FILE || ZHUHAI_NETWORK_FILE);
  const timeLimits = workingTimeLimits();
  // One deadline for a bad review: the evaluation records it and its rectification case runs on it.
  const rectificationDays = DEFAULT_RECTIFICATION_DAYS;
  const centre = new Centre({
    engine,
    docs,
    network: serviceNetwork,
    timeLimits,
    rectificationDays,
    licenceKeys: loadLicenceKeys(dataDir, logger),
    logger,
  });
  // 差评整改: a case for every bad review; one an earlier run left unopened is opened now.
  const rectifications = new RectificationDesk({ docs, timeLimits, limitDays: rectificationDays });
  const reopened = await rectifications.reconcile();
  if (reopened) logger.info({ reopened }, 'opened rectification cases a previous run missed');
  const rescoped = await centre.reprojectUnscopedTasks();
  if (rescoped) logger.info({ rescoped }, 'department inbox rows of earlier cases scoped by region (属地)');
  const figured = await centre.reprojectCaseFigures();
  if (figured)
    logger.info({ figured }, 'supervisor figures rows written for cases that had none or an older one');
  await warnOfPatternsToRedeploy(centre.bundles, logger);
  const network = createNetworkServices({ docs, network: serviceNetwork, bundles: centre.bundles });
  await seedExamples(centre, audit, resolve(env.ONETHING_EXAMPLES_DIR ?? 'examples'), logger);

  // Log-in attempts and failures, counted where every node on this database sees them.
  const counts = await sharedCounts(store);
  const jwtKeyFile = join(dataDir, 'jwt.key');
  const secret = loadJwtSecret({ env, keyFile: jwtKeyFile, warn: (m) => logger.warn(m) });
  if (existsSync(jwtKeyFile)) warnIfReadableByOthers(jwtKeyFile, (m) => logger.warn(m));
  const app = createApp({
    centre,
    engine,
    docs,
    sealedDocs: stored,
    audit,
    journal,
    rateLimits: config.rateLimits,
    counts,
    ...(config.trustProxy !== undefined ? { trustProxy: config.trustProxy } : {}),
    logger,
    tokens: new TokenService(secret, config.tokenTtlSeconds),
    users: UserDirectory.fromFile(env.ONETHING_USERS_FILE || undefined),
    corsOrigins: config.corsOrigins,
    staticDirs: { '/designer': resolve('designer/dist'), '/': resolve('web/dist') },
    metricsSources: { applicationsByStatus: () => countByStatus(docs) },
    network,
    timeLimits,
    rectifications,
    uploads,
    version: JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version,
  });

  // Commands a previous run left between their commit and their audit entry (after createApp:
  // it settles their Idempotency-Key records).
  const audited = await journal.recover();
  if (audited.closed) logger.info(audited, 'audited the commands a previous run left unaudited');

  // Timers, job retries, deferred-material deadlines and time-limit colours, every few seconds.
  let ticking: Promise<void> | undefined;
  const tick = () => {
    if (ticking) return;
    ticking = (async () => {
      // Each part on its own: one that fails (logged) holds back none of the others.
      const part = async <T>(name: string, run: () => Promise<T>): Promise<T | undefined> =>
        run().catch((err: unknown) => {
          logger.error({ err, part: name }, 'background tick failed');
          return undefined;
        });
      try {
        const ran = await part('engine', () => engine.runDueJobs());
        const swept = await part('centre', () => centre.sweep());
        await part('rectifications', () => rectifications.sweep());
        await part('appointments', () => network.appointments.markNoShows());
        await part('journal', () => journal.recover());
        if (ran || swept?.terminated || swept?.recoloured) logger.debug({ ran, ...swept }, 'tick');
      } finally {
        ticking = undefined;
      }
    })();
  };
  const interval = setInterval(tick, config.tickMs);
  // Connector tasks (gov:url) call department systems on their own loop: a slow one never holds up the tick.
  const connectors = new ConnectorRunner({
    engine,
    allowedOrigins: config.connectorOrigins,
  });
  connectors.start(config.tickMs, (err) => logger.error({ err }, 'connector round failed'));

  // One request started per event-loop turn (http/admission.ts): connections opened under load are accepted promptly.
  const server = createServer(onePerTurn(app)).listen(config.port, config.host);
  await new Promise<void>((ok, fail) => {
    server.once('listening', ok);
    server.once('error', fail);
  });
  const url = `http://localhost:${(server.address() as AddressInfo).port}`;

  // What an earlier version or key left in clear or under a retired key is sealed now, in the
  // background (security/reseal.ts); stopping ends the pass between two pages.
  const stopResealing = new AbortController();
  const resealing = resealIfStale(stored, encrypting, { signal: stopResealing.signal }).then(
    (report) => {
      if (report.rewritten || report.conflicts)
        logger.info(report, 'documents sealed under the current policy and data key');
      if (report.conflicts)
        logger.warn(report, 'documents changed during every sealing pass are sealed at the next start');
    },
    (err: unknown) => {
      if (!stopResealing.signal.aborted)
        logger.error({ err }, 'sealing under the current policy and data key failed');
    },
  );

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      clearInterval(interval);
      stopResealing.abort();
      await new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 5000).unref();
      });
      await ticking;
      await resealing;
      await connectors.stop();
      await uploads.close();
      await store.close();
      (docs as { close?: () => unknown }).close?.();
      counts.close();
    })());
  return { url, server, stop };
}

async function main(): Promise<void> {
  const logger = createLogger({ level: logLevelOf(process.env) });
  const running = await start(process.env, logger);
  logger.info({ url: running.url }, 'OneThing is listening');
  process.stdout.write(
    [
      '',
      `  OneThing 一件事一次办 — ${running.url}`,
      `  API ${running.url}/api/openapi.json · health ${running.url}/healthz · metrics ${running.url}/metrics`,
      '  Demo users (password = username + "pass"): clerk1 · analyst1 · supervisor1 · applicant1 · tax1, hrss1, market-regulation1, public-security1 …',
      `  curl -s -X POST ${running.url}/api/auth/token -H 'content-type: application/json' -d '{"username":"clerk1","password":"clerk1pass"}'`,
      '',
    ].join('\n') + '\n',
  );
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    running.stop().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((err) => {
    process.stderr.write(
      `OneThing could not start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  });
}
