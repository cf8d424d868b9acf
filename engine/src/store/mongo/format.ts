/**
 * The version of the stored format, kept in the database so that a OneThing older than the data
 * refuses to open it instead of misreading it (the SQLite store does this with its schema version).
 *
 * 2: instance states keep their waits, tasks and jobs under instance-local keys ('w7', not
 *    '<instance id>.w7'; runtime/state.ts withLocalKeys upgrades older records as they load). An
 *    older OneThing would take a due timer, an open task or a message wait for one already closed.
 * 1: everything before; no version was written. Versions before 2 do not check it either, so run
 *    every node of a deployment on the same version (see legacy.ts).
 */
import type { Connection } from 'mongoose';

export const FORMAT_VERSION = 2;

interface FormatDoc {
  _id: string;
  version: number;
}

/** Records this version's format (never lowering it) and refuses a database of a newer one. */
export async function claimFormat(connection: Connection): Promise<void> {
  const meta = connection.db!.collection<FormatDoc>('onething_meta');
  for (let attempt = 0; ; attempt++) {
    try {
      await meta.updateOne({ _id: 'format' }, { $max: { version: FORMAT_VERSION } }, { upsert: true });
      break;
    } catch (err) {
      // Two nodes opening at once can race on the upsert's insert; the second finds it then.
      if ((err as { code?: number }).code !== 11000 || attempt >= 3) throw err;
    }
  }
  const stored = (await meta.findOne({ _id: 'format' }))?.version ?? 0;
  if (stored > FORMAT_VERSION) {
    throw new Error(
      `database format version ${stored} is newer than this OneThing understands (${FORMAT_VERSION}); upgrade OneThing`,
    );
  }
}
