/**
 * Compare-and-set updates of one document with retries: the way bookings, queue counters and
 * ticket calls stay correct under concurrency on every DocStore (memory, SQLite, MongoDB).
 */
import { DocConflictError, type Doc, type DocStore } from '../domain/docs.js';
import { DomainError } from '../domain/errors.js';

export const MAX_ATTEMPTS = 200;

const pause = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * Math.min(2 + attempt, 20))));

/**
 * Reads the document (or none), lets `change` return the new version (or throw to refuse), and
 * saves it with CAS on the rev read; a lost race reads again. `change` must be pure: it may run
 * several times.
 */
export async function casUpdate<T extends Doc, R = T>(
  docs: DocStore,
  collection: string,
  id: string,
  change: (current: T | undefined) => { doc: T; result: R } | { skip: R },
): Promise<{ result: R; saved?: T }> {
  for (let attempt = 0; ; attempt++) {
    const current = await docs.get<T>(collection, id);
    const next = change(current ? structuredClone(current) : undefined);
    if ('skip' in next) return { result: next.skip };
    try {
      const saved = await docs.put(collection, { ...next.doc, id }, current?.rev ?? 0);
      return { result: next.result, saved };
    } catch (err) {
      if (!(err instanceof DocConflictError)) throw err;
      if (attempt + 1 >= MAX_ATTEMPTS) {
        throw new DomainError('conflict', {
          zh: '办理人数较多，请稍后重试',
          en: 'too many concurrent requests; try again',
        });
      }
      await pause(attempt);
    }
  }
}
