import { chain, endEvent, model, startEvent, userTask } from '../../testing/bpmn.js';
import { deployed, HOUR, path, T0 } from '../../testing/harness.js';

const xml = model(
  'permit',
  `
  ${startEvent('start')}
  <bpmn:userTask id="review" name="Review application" gov:department="market-regulation" gov:item="BL-001"
      gov:formView="review-form" gov:timeLimit="5" gov:specialStep="true" gov:candidateRoles="clerk, reviewer"
      gov:assignee="wang"/>
  ${userTask('archive', { department: 'archives' })}
  ${endEvent('end')}
  ${chain('start', 'review', 'archive', 'end')}`,
);

describe('user task', () => {
  it('opens a task carrying the gov attributes', async () => {
    const { engine } = await deployed(xml);
    const v = await engine.start('permit', { businessKey: 'BK-7' });
    expect(v.openTasks).toHaveLength(1);
    const task = v.openTasks[0]!;
    expect(task).toMatchObject({
      instanceId: v.id,
      processId: 'permit',
      businessKey: 'BK-7',
      elementId: 'review',
      name: 'Review application',
      state: 'open',
      department: 'market-regulation',
      item: 'BL-001',
      formView: 'review-form',
      timeLimitDays: 5,
      specialStep: true,
      assignee: 'wang',
      createdAt: T0,
    });
    expect(task.candidateRoles).toEqual(['clerk', 'reviewer']);
    expect(task.completedAt).toBeUndefined();
  });

  it('a task without gov attributes has empty candidate roles and no department', async () => {
    const { engine } = await deployed(
      model('p', `${startEvent('s')}${userTask('t')}${endEvent('e')}${chain('s', 't', 'e')}`),
    );
    const v = await engine.start('p', {});
    expect(v.openTasks[0]!.candidateRoles).toEqual([]);
    expect(v.openTasks[0]!.department).toBeUndefined();
    expect(v.openTasks[0]!.specialStep ?? false).toBe(false);
  });

  it('completing merges variables, records completedAt, and moves on', async () => {
    const h = await deployed(xml);
    const v = await h.engine.start('permit', { variables: { a: 1, keep: 'x' } });
    h.clock.advance(2 * HOUR);
    const after = await h.engine.completeTask(v.openTasks[0]!.id, {
      variables: { a: 2, approved: true },
      actor: 'wang',
    });
    expect(after.variables).toMatchObject({ a: 2, approved: true, keep: 'x' });
    expect(after.openTasks.map((t) => t.elementId)).toEqual(['archive']);
    expect(path(after)).toEqual(['start', 'review']);
    const [done] = await h.engine.tasks({ instanceId: v.id, elementId: 'review' });
    expect(done!.state).toBe('completed');
    expect(done!.completedAt).toBe(T0 + 2 * HOUR);
    const reviewDone = after.history.find((e) => e.type === 'element.completed' && e.elementId === 'review')!;
    expect(reviewDone.at).toBe(T0 + 2 * HOUR);
    const archive = after.openTasks[0]!;
    expect(archive.createdAt).toBe(T0 + 2 * HOUR);
    const final = await h.engine.completeTask(archive.id, {});
    expect(final.status).toBe('completed');
    expect(path(final)).toEqual(['start', 'review', 'archive', 'end']);
  });

  it('a task cannot be completed twice, and an unknown task id is rejected', async () => {
    const { engine } = await deployed(xml);
    const v = await engine.start('permit', {});
    const id = v.openTasks[0]!.id;
    await engine.completeTask(id, {});
    await expect(engine.completeTask(id, {})).rejects.toThrow();
    await expect(engine.completeTask('no-such-task', {})).rejects.toThrow();
    const after = await engine.instance(v.id);
    expect(path(after).filter((e) => e === 'review')).toHaveLength(1);
  });

  it('tasks() filters by instance, department, assignee, element, process and state', async () => {
    const { engine } = await deployed(xml);
    const one = await engine.start('permit', {});
    const two = await engine.start('permit', {});
    await engine.completeTask(one.openTasks[0]!.id, {});

    expect(await engine.tasks({ instanceId: two.id })).toHaveLength(1);
    expect((await engine.tasks({ department: 'archives' })).map((t) => t.instanceId)).toEqual([one.id]);
    expect(await engine.tasks({ department: 'market-regulation', state: 'open' })).toHaveLength(1);
    expect(await engine.tasks({ department: 'market-regulation' })).toHaveLength(2); // no default state filter
    expect(await engine.tasks({ assignee: 'wang', state: 'open' })).toHaveLength(1);
    expect(await engine.tasks({ assignee: 'nobody' })).toHaveLength(0);
    expect(await engine.tasks({ elementId: 'archive' })).toHaveLength(1);
    expect(await engine.tasks({ processId: 'permit' })).toHaveLength(3);
    expect(await engine.tasks({ processId: 'other' })).toHaveLength(0);
    const completed = await engine.tasks({ state: 'completed' });
    expect(completed.map((t) => [t.instanceId, t.elementId])).toEqual([[one.id, 'review']]);
  });

  it('instance() lists the open tasks and history with increasing seq', async () => {
    const { engine } = await deployed(xml);
    const v = await engine.start('permit', {});
    const view = await engine.instance(v.id);
    expect(view.openTasks.map((t) => t.id)).toEqual(v.openTasks.map((t) => t.id));
    const seqs = view.history.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(view.history.every((e) => e.instanceId === v.id)).toBe(true);
  });
});
