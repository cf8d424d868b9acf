/**
 * Revoked tokens, durable in the DocStore collection `revocations` (memory, SQLite or MongoDB):
 * one document per user holding
 * - the token ids (jti) revoked by log-out, each kept only until that token would have expired
 *   anyway (expired ones are pruned whenever the document is written, and by `prune()`);
 * - an `epoch`: an administrator's revoke-all raises it, and every token issued under a lower
 *   epoch is refused. Tokens carry the epoch they were issued under (claim `ep`), so a log-in
 *   right after a revoke-all works and nothing depends on clock resolution.
 * One document per user keeps the check to one read per request and the list bounded.
 */
import { DocConflictError, encodeCursor, type Doc, type DocStore } from '../../domain/docs.js';
import type { TokenClaims } from './tokens.js';

export const REVOCATIONS = 'revocations';

interface RevocationDoc extends Doc {
  userId: string;
  epoch: number;
  /** jti → expiry of the token (seconds since the epoch). */
  jtis: Record<string, number>;
  updatedAt: number;
}

const MAX_ATTEMPTS = 20;

export class RevocationList {
  constructor(
    private readonly docs: DocStore,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The epoch a token issued now should carry. */
  async epochOf(userId: string): Promise<number> {
    return (await this.docs.get<RevocationDoc>(REVOCATIONS, userId))?.epoch ?? 0;
  }

  async isRevoked(claims: Pick<TokenClaims, 'jti' | 'epoch'> & { userId: string }): Promise<boolean> {
    const doc = await this.docs.get<RevocationDoc>(REVOCATIONS, claims.userId);
    if (!doc) return false;
    return claims.epoch < doc.epoch || Object.hasOwn(doc.jtis, claims.jti);
  }

  /** Log-out: this one token is refused from now on. */
  async revokeToken(userId: string, jti: string, exp: number): Promise<void> {
    await this.change(userId, (doc) => ({ ...doc, jtis: { ...doc.jtis, [jti]: exp } }));
  }

  /** Revoke-all (a clerk leaves, a password leaked): every token of the user issued so far is refused. */
  async revokeAll(userId: string): Promise<number> {
    const saved = await this.change(userId, (doc) => ({ ...doc, epoch: doc.epoch + 1, jtis: {} }));
    return saved.epoch;
  }

  /** Drops expired jtis from every user's document; returns how many it dropped. */
  async prune(): Promise<number> {
    let dropped = 0;
    let after: string | undefined;
    for (;;) {
      const page = await this.docs.find<RevocationDoc>(REVOCATIONS, {
        limit: 200,
        ...(after ? { after } : {}),
      });
      if (!page.length) break;
      after = encodeCursor(null, page[page.length - 1]!.id);
      for (const doc of page) {
        const before = Object.keys(doc.jtis).length;
        if (Object.keys(this.live(doc.jtis)).length === before) continue;
        const saved = await this.change(doc.userId, (d) => d).catch((err) => {
          if (err instanceof DocConflictError) return undefined; // next run
          throw err;
        });
        if (saved) dropped += before - Object.keys(saved.jtis).length;
      }
      if (page.length < 200) break;
    }
    return dropped;
  }

  private live(jtis: Record<string, number>): Record<string, number> {
    const now = Math.floor(this.clock() / 1000);
    return Object.fromEntries(Object.entries(jtis).filter(([, exp]) => exp > now));
  }

  /** Compare-and-set on the user's document; expired jtis are dropped on every write. */
  private async change(userId: string, fn: (doc: RevocationDoc) => RevocationDoc): Promise<RevocationDoc> {
    for (let attempt = 0; ; attempt++) {
      const current = await this.docs.get<RevocationDoc>(REVOCATIONS, userId);
      const base: RevocationDoc = current ?? { id: userId, rev: 0, userId, epoch: 0, jtis: {}, updatedAt: 0 };
      const next = fn(base);
      try {
        return await this.docs.put<RevocationDoc>(
          REVOCATIONS,
          { ...next, jtis: this.live(next.jtis), updatedAt: this.clock() },
          base.rev,
        );
      } catch (err) {
        if (!(err instanceof DocConflictError) || attempt >= MAX_ATTEMPTS) throw err;
      }
    }
  }
}
