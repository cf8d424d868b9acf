/**
 * Deploying on MongoDB, where a deployment is several documents (one claim per process version,
 * then the deployment document) written without a transaction: readers must see a deployment
 * only once it owns every version it names, never a losing deploy's, and a deploy that stopped
 * part-way must not hold its versions for good. Stores on one database stand for nodes.
 */
import { MongoStore } from '../../engine/src/store/mongo/index.js';
import { ConflictError, type DeploymentRecord } from '../../engine/src/store/port.js';
import { freshDbUri } from '../support/mongo.js';
import { T0 } from './records.js';

const opened: MongoStore[] = [];
afterAll(async () => {
  for (const s of opened) {
    await s.connection.dropDatabase().catch(() => undefined);
    await s.close();
  }
});

async function nodes(name: string, count: number): Promise<MongoStore[]> {
  const uri = freshDbUri(name);
  const stores: MongoStore[] = [];
  for (let i = 0; i < count; i++) stores.push(await MongoStore.open(uri));
  opened.push(...stores);
  return stores;
}

function deployment(id: string, processes: [string, number][], createdAt = T0): DeploymentRecord {
  return {
    id,
    xml: `<definitions id="${id}"/>`,
    processes: processes.map(([pid, version]) => ({ id: pid, version })),
    createdAt,
  };
}

const holding = async (store: MongoStore, processId: string, version: number) =>
  (await store.listDeployments())
    .filter((d) => d.processes.some((p) => p.id === processId && p.version === version))
    .map((d) => d.id);

test('a deploy under way is seen by no node until it owns its versions; a losing one never', async () => {
  const [a, b, reader] = await nodes('deploy-visible', 3);
  await a.saveDeployment(deployment('v1', [['p', 1]]));
  // Node b's claim of p v2 is slow to arrive.
  const claims = b.models.ProcessVersion.collection;
  const insertOne = claims.insertOne.bind(claims);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let waiting!: () => void;
  const arrived = new Promise<void>((resolve) => (waiting = resolve));
  claims.insertOne = (async (...args: Parameters<typeof insertOne>) => {
    waiting();
    await gate;
    return insertOne(...args);
  }) as typeof claims.insertOne;
  // Stamped earlier than the winner, so a reader taking the first match would pick it.
  const losing = b.saveDeployment(deployment('loser', [['p', 2]], T0 - 1)).catch((err: unknown) => err);
  await arrived;
  expect(await reader.getDeployment('loser')).toBeUndefined();
  expect(await reader.latestVersion('p')).toBe(1);
  await a.saveDeployment(deployment('winner', [['p', 2]], T0 + 1));
  expect(await reader.getDeployment('loser')).toBeUndefined();
  expect(await holding(reader, 'p', 2)).toEqual(['winner']);
  release();
  expect(await losing).toBeInstanceOf(ConflictError);
  expect(await holding(reader, 'p', 2)).toEqual(['winner']);
  expect(await reader.latestVersion('p')).toBe(2);
});

test('a losing deploy whose withdrawal fails is never seen, and its versions are free again later', async () => {
  const [a, b] = await nodes('deploy-withdrawal', 2);
  await a.saveDeployment(deployment('winner', [['p', 2]]));
  // b deploys a v1 with p v2: it claims a v1, loses p v2, and cannot withdraw its claim of a v1.
  const claims = b.models.ProcessVersion.collection;
  const deployments = b.models.Deployment.collection;
  const failing = async () => {
    throw new Error('simulated transient failure');
  };
  const saved = {
    deleteOne: claims.deleteOne,
    deleteMany: claims.deleteMany,
    depDelete: deployments.deleteOne,
  };
  claims.deleteOne = failing as unknown as typeof claims.deleteOne;
  claims.deleteMany = failing as unknown as typeof claims.deleteMany;
  deployments.deleteOne = failing as unknown as typeof deployments.deleteOne;
  const err = await b
    .saveDeployment(
      deployment('loser', [
        ['a', 1],
        ['p', 2],
      ]),
    )
    .catch((e: unknown) => e);
  Object.assign(claims, { deleteOne: saved.deleteOne, deleteMany: saved.deleteMany });
  deployments.deleteOne = saved.depDelete;
  expect(err).toBeInstanceOf(ConflictError);
  for (const node of [a, b]) {
    expect(await node.getDeployment('loser')).toBeUndefined();
    expect(await holding(node, 'p', 2)).toEqual(['winner']);
    expect(await node.latestVersion('a')).toBe(0);
  }
  // The claim left behind is young: it may be a deploy under way, so a v1 is taken for now.
  await expect(a.saveDeployment(deployment('next', [['a', 1]]))).rejects.toBeInstanceOf(ConflictError);
  // Once it is old, with still no deployment document, a deploy takes it over.
  await a.models.ProcessVersion.collection.updateOne({ processId: 'a', version: 1 }, { $set: { at: 0 } });
  await a.saveDeployment(deployment('next', [['a', 1]]));
  expect(await holding(b, 'a', 1)).toEqual(['next']);
  expect(await b.latestVersion('a')).toBe(1);
});

test('an old claim whose deployment has a document is not taken over', async () => {
  const [a] = await nodes('deploy-no-takeover', 1);
  await a.saveDeployment(deployment('first', [['p', 1]]));
  await a.models.ProcessVersion.collection.updateOne({ processId: 'p', version: 1 }, { $set: { at: 0 } });
  await expect(a.saveDeployment(deployment('second', [['p', 1]]))).rejects.toBeInstanceOf(ConflictError);
  expect(await holding(a, 'p', 1)).toEqual(['first']);
  // The same deployment saved again is not a conflict.
  await a.saveDeployment(deployment('first', [['p', 1]]));
});

test('a deploy whose claim was taken over while it wrote its document withdraws it', async () => {
  const [a, b] = await nodes('deploy-taken-over', 2);
  const deployments = b.models.Deployment.collection;
  const replaceOne = deployments.replaceOne.bind(deployments);
  deployments.replaceOne = (async (...args: Parameters<typeof replaceOne>) => {
    // Another node took the claim over (it looked abandoned) just before this write.
    await a.models.ProcessVersion.collection.updateOne(
      { processId: 'p', version: 1 },
      { $set: { deploymentId: 'other' } },
    );
    return replaceOne(...args);
  }) as typeof deployments.replaceOne;
  await expect(b.saveDeployment(deployment('slow', [['p', 1]]))).rejects.toBeInstanceOf(ConflictError);
  expect(await a.getDeployment('slow')).toBeUndefined();
  expect(await a.models.ProcessVersion.collection.countDocuments({ deploymentId: 'slow' })).toBe(0);
});
