/**
 * MongoStore serves a command's instance, an open task and a view's history from what it committed
 * itself (see engine/src/store/mongo/committed.ts). Two engines with their own store on one
 * database stand for two nodes: what one of them kept goes stale when the other moves an
 * instance on, and every answer must still be the one a fresh read gives.
 */
import { createEngine, type Engine } from '../../engine/src/index.js';
import { MongoStore } from '../../engine/src/store/mongo/index.js';
import { freshDbUri } from '../support/mongo.js';
import { PERMIT, TWO_STEP } from './processes.js';

describe('MongoStore: what a node committed itself, with another node on the same database', () => {
  let a: MongoStore;
  let b: MongoStore;
  let nodeA: Engine;
  let nodeB: Engine;

  beforeAll(async () => {
    const uri = freshDbUri('own-commits');
    a = await MongoStore.open(uri);
    b = await MongoStore.open(uri);
    nodeA = createEngine({ store: a });
    nodeB = createEngine({ store: b });
    await nodeA.deploy(PERMIT);
    await nodeA.deploy(TWO_STEP);
  });
  afterAll(async () => {
    await a?.connection.dropDatabase().catch(() => undefined);
    await a?.close();
    await b?.close();
  });

  const openTask = (view: { openTasks: { id: string }[] }) => view.openTasks[0]!.id;

  it('keeps the record a read would give, and the history at its revision', async () => {
    let view = await nodeA.start('two-step', { variables: { when: new Date(0), gone: undefined } });
    view = await nodeA.completeTask(openTask(view), { variables: { note: 'ok' } });
    // As stored: the Date is its JSON string, the undefined member is absent.
    expect(a.committedInstance(view.id)).toEqual(await a.getInstance(view.id));
    expect(a.committedInstance(view.id)!.state.scopes.root!.vars.when).toBe(new Date(0).toISOString());
    expect(view.history).toEqual(await b.history(view.id));
    expect(await a.history(view.id, 2)).toEqual(await b.history(view.id));
  });

  it('completes a task on a record another node has moved on since', async () => {
    const started = await nodeA.start('permit', { businessKey: 'BK-stale' });
    // Node B delivers the fee message: node A's record of the instance is now stale.
    await nodeB.correlate('fee.paid', { correlationKey: 'BK-stale' });
    const view = await nodeA.completeTask(openTask(started));
    expect(view.openTasks).toEqual([]);
    const history = await b.history(view.id);
    expect(view.history).toEqual(history);
    expect(history.filter((h) => h.type === 'task.completed')).toHaveLength(1);
    expect((await b.getInstance(view.id))!.rev).toBe(3);
    // Node A's next command starts from the record it has just committed.
    expect(a.committedInstance(view.id)).toEqual(await b.getInstance(view.id));
  });

  it('answers a task another node completed as the inbox does: already completed', async () => {
    const started = await nodeA.start('two-step');
    const accept = openTask(started);
    expect(a.committedOpenTask(accept)?.state).toBe('open');
    const view = await nodeB.completeTask(accept);
    await expect(nodeA.completeTask(accept)).rejects.toMatchObject({
      code: 'conflict',
      message: `task ${accept} is already completed`,
    });
    // The same once the instance has ended on the other node.
    const again = await nodeA.start('two-step');
    expect((await nodeB.completeTask(openTask(await nodeB.completeTask(openTask(again))))).status).toBe(
      'completed',
    );
    await expect(nodeA.completeTask(openTask(again))).rejects.toMatchObject({
      code: 'conflict',
      message: `task ${openTask(again)} is already completed`,
    });
    expect(view.openTasks).toHaveLength(1);
  });

  it('shows the other node’s change in a read-only view', async () => {
    const started = await nodeA.start('two-step');
    await nodeB.completeTask(openTask(started));
    const view = await nodeA.instance(started.id);
    expect(view.openTasks.map((t) => t.elementId)).toEqual(['decide']);
    expect(view.history).toEqual(await b.history(started.id));
  });
});
