export { canonicalJson, sha256Hex } from './canonical.js';
export {
  AUDIT,
  AuditLog,
  auditActor,
  entryId,
  GENESIS_HASH,
  hashEntry,
  type AppendOnce,
  type AuditActor,
  type AuditBreak,
  type AuditEntry,
  type AuditInput,
  type AuditOutcome,
  type AuditPage,
  type VerifyReport,
} from './log.js';
