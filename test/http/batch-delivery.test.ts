/**
 * 分批出件 over HTTP: POST /api/applications/:id/deliver with `items` hands over the finished
 * results while the bank is still deciding; refusals are problem+json naming the item; the
 * OpenAPI document describes the option.
 */
import { approvalOf } from '../../engine/src/testing/item-outputs.js';
import { DEPARTMENT_OF, startCentreServer, taskId, type CentreServer } from './centre-fixture.js';
import { expectProblem } from './support.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies of the API under test
type Json = any;

const FIRST_BATCH = ['enterprise-registration', 'seal-filing'];

let s: CentreServer;
beforeAll(async () => {
  s = await startCentreServer();
});
afterAll(() => s.close());

/** An accepted case whose every item but the bank appointment is approved. */
async function bankStillOpen(): Promise<string> {
  const id = await s.caseIn('accepted');
  for (const [item, department] of Object.entries(DEPARTMENT_OF)) {
    if (item === 'bank-appointment') continue;
    await s.ok('POST', `/api/tasks/${taskId(id, item)}/approve`, {
      as: `${department}1`,
      body: approvalOf(item),
    });
  }
  return id;
}

const deliver = (id: string, body: Json) =>
  s.call('POST', `/api/applications/${id}/deliver`, { as: 'clerk1', body });

it('delivers the chosen finished results while an item is open, and the rest at the end', async () => {
  const id = await bankStillOpen();
  const batch = await s.ok('POST', `/api/applications/${id}/deliver`, {
    as: 'clerk1',
    body: { channel: 'window', items: FIRST_BATCH },
  });
  expect(batch.status).toBe('in-progress');
  expect(batch.deliveries).toEqual([
    expect.objectContaining({ batch: 1, items: FIRST_BATCH, channel: 'window', by: 'clerk1' }),
  ]);
  expect(batch.timeline.at(-1)).toMatchObject({ type: 'delivered.batch', data: { batch: 1 } });

  const mine = await s.ok('GET', `/api/applications/${id}`, { as: 'applicant1' });
  expect(mine.deliveries).toEqual([expect.objectContaining({ batch: 1, items: FIRST_BATCH })]);
  expect(mine.deliveries[0].by).toBeUndefined();

  await s.ok('POST', `/api/tasks/${taskId(id, 'bank-appointment')}/approve`, { as: 'bank1', body: {} });
  const done = await s.ok('POST', `/api/applications/${id}/deliver`, {
    as: 'clerk1',
    body: { channel: 'post' },
  });
  expect(done.status).toBe('delivered');
  expect(done.deliveries.map((d: Json) => d.items.length)).toEqual([2, 5]);
});

it('refuses an item twice, an open item and a stranger as problem+json naming the item', async () => {
  const id = await bankStillOpen();
  await s.ok('POST', `/api/applications/${id}/deliver`, {
    as: 'clerk1',
    body: { channel: 'window', items: ['seal-filing'] },
  });
  const twice = expectProblem(
    await deliver(id, { channel: 'window', items: ['tax-registration', 'seal-filing'] }),
    422,
  );
  expect(twice.errors).toEqual([expect.objectContaining({ field: 'items[0]' })]);
  const again = expectProblem(
    await deliver(id, { channel: 'window', items: ['seal-filing', 'bank-appointment'] }),
    409,
  );
  expect(again.errors.map((e: Json) => [e.field, e.message.zh])).toEqual([
    ['items[0]', '已于第 1 批出件'],
    ['items[1]', '尚在办理中，办结后方可出件'],
  ]);
  const english = expectProblem(
    await s.call('POST', `/api/applications/${id}/deliver`, {
      as: 'clerk1',
      body: { channel: 'window', items: ['seal-filing'] },
      headers: { 'accept-language': 'en' },
    }),
    409,
  );
  expect(english.detail).toContain('only items decided and not yet handed over');
  expect(english.errors[0].message.en).toBe('already handed over in batch 1');
  const malformed = expectProblem(await deliver(id, { channel: 'window', items: [7] }), 422);
  expect(malformed.errors[0].field).toMatch(/^body\.items/);
});

it('documents the items option of the delivery in the OpenAPI document', async () => {
  const doc = (await s.call('GET', '/api/openapi.json')).body;
  const op = doc.paths['/api/applications/{id}/deliver'].post;
  const ref = op.requestBody.content['application/json'].schema.$ref as string;
  expect(ref).toBe('#/components/schemas/DeliverInput');
  const input = doc.components.schemas.DeliverInput;
  expect(input.properties.items).toMatchObject({ type: 'array', items: { type: 'string' } });
  expect(input.description).toContain('分批出件');
  expect(doc.components.schemas.Application.properties.deliveries.items.$ref).toBe(
    '#/components/schemas/DeliveryBatch',
  );
});
