/**
 * Databases written before instances, tasks and history shared the `records` collection kept them
 * in `instances`, `tasks` and `history`. On open, their documents are copied into `records`
 * (insert only: a document a newer node has written already is left as it is), then the old
 * collections are dropped. Copying again after a crash part-way changes nothing. Run every node
 * of a deployment on the same version: an older node would go on writing the old collections.
 */
import type { Connection } from 'mongoose';
import type { AnyBulkWriteOperation, Collection, Document } from 'mongodb';
import type { RecordDoc } from './models.js';
import { historyKey, instanceKey, taskKey } from './records.js';

const BATCH = 500;

/** Old collection → the kind, `_id` and fields its documents get in `records`. */
const LEGACY: Record<string, (doc: Document) => Document> = {
  instances: ({ _id, ...rest }) => ({ ...rest, _id: instanceKey(String(_id)), k: 'i' }),
  tasks: ({ _id, state, ...rest }) => ({ ...rest, _id: taskKey(String(_id)), k: 't', ts: state as unknown }),
  history: ({ _id, ...rest }) => {
    const doc = rest as { instanceId: string; n: number };
    return { ...rest, _id: historyKey(doc.instanceId, doc.n), k: 'h' };
  },
};

export async function moveLegacyRecords(connection: Connection): Promise<void> {
  const db = connection.db!;
  const present = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  const records = db.collection('records') as unknown as Collection<RecordDoc>;
  for (const [name, convert] of Object.entries(LEGACY)) {
    if (!present.has(name)) continue;
    const old = db.collection(name);
    let ops: AnyBulkWriteOperation<RecordDoc>[] = [];
    const flush = async () => {
      // Two nodes copying at once can race on an insert; the copy is idempotent, so try again.
      for (let attempt = 0; ops.length; attempt++) {
        try {
          await records.bulkWrite(ops, { ordered: false });
          ops = [];
        } catch (err) {
          if ((err as { code?: number }).code !== 11000 || attempt >= 3) throw err;
        }
      }
    };
    for await (const doc of old.find({})) {
      const { _id, ...fields } = convert(doc);
      ops.push({
        updateOne: { filter: { _id: _id as string }, update: { $setOnInsert: fields }, upsert: true },
      });
      if (ops.length >= BATCH) await flush();
    }
    await flush();
    await old.drop().catch((err: { codeName?: string; code?: number }) => {
      if (err.code !== 26 && err.codeName !== 'NamespaceNotFound') throw err; // dropped by another node
    });
  }
}
