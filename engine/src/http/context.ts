/** What the routers are given: the domain, the engine and the HTTP services, resolved once. */
import type { CentreApi } from '../applications/api.js';
import type { AuditLog } from '../audit/index.js';
import type { CommandJournal } from '../audit/journal.js';
import type { DocStore } from '../domain/docs.js';
import type { Engine } from '../index.js';
import type { RevocationList } from './auth/revocations.js';
import type { TokenService } from './auth/tokens.js';
import type { UserDirectory } from './auth/users.js';
import type { IdempotencyStore } from './idempotency.js';
import type { LoginLockout } from './login-lockout.js';
import type { Logger } from './logging.js';
import type { Metrics } from './metrics.js';
import type { RateLimiter } from './rate-limit.js';

export interface AppContext {
  centre: CentreApi;
  engine: Engine;
  docs: DocStore;
  /**
   * The same documents as stored, sensitive values still sealed: for reads that never show them
   * (the supervisor figures), so they neither pay for nor hold decrypted personal data.
   */
  sealedDocs: DocStore;
  tokens: TokenService;
  users: UserDirectory;
  audit: AuditLog;
  journal: CommandJournal;
  revocations: RevocationList;
  limiter: RateLimiter;
  lockout: LoginLockout;
  idempotency: IdempotencyStore;
  metrics: Metrics;
  logger: Logger;
  clock: () => number;
  version: string;
}
