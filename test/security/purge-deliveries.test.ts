/**
 * Retention and 分批出件: a case whose results went out in two batches is purged; its tombstone
 * still says which items each batch handed over, how, when and at which venue (statistics and
 * supervision count them), but not which clerk handed them over.
 */
import { AuditLog } from '../../engine/src/audit/index.js';
import { MemoryDocStore } from '../../engine/src/domain/docs.js';
import { createEngine } from '../../engine/src/index.js';
import { loadNetworkFile, ZHUHAI_NETWORK_FILE } from '../../engine/src/network/index.js';
import { purgeArchived, type Tombstone } from '../../engine/src/security/purge.js';
import { acceptedAtWindow } from '../../engine/src/testing/accepted-case.js';
import {
  AFTER_REGISTRATION,
  analyst,
  clerk,
  dept,
  example,
  HOLDER,
  memoryCentre,
  T0,
} from '../../engine/src/testing/centre-fixtures.js';
import { approvalOf } from '../../engine/src/testing/item-outputs.js';

const DAY = 86_400_000;
const FIRST_BATCH = ['enterprise-registration', 'seal-filing'];
const REST = AFTER_REGISTRATION.map(([, item]) => item).filter((item) => item !== 'seal-filing');

/** business-startup at the Zhuhai network's Xiangzhou centre: registration and the seal first, the rest a day later by post. */
async function deliveredInTwoBatches() {
  let now = T0;
  const clock = () => now;
  const docs = new MemoryDocStore();
  const network = loadNetworkFile(ZHUHAI_NETWORK_FILE);
  const { centre } = memoryCentre({ engine: createEngine({ clock }), clock, docs, network });
  await centre.deployBundle(analyst, example('business-startup'));
  const app = await acceptedAtWindow(centre, 'business-startup');
  const task = (item: string) => `${app.id}:${item}`;
  await centre.approve(
    dept('market-regulation'),
    task('enterprise-registration'),
    approvalOf('enterprise-registration'),
  );
  await centre.approve(dept('public-security'), task('seal-filing'), {});
  now += DAY;
  await centre.deliver(clerk, app.id, { channel: 'window', items: FIRST_BATCH });
  for (const [department, item] of AFTER_REGISTRATION)
    if (item !== 'seal-filing') await centre.approve(dept(department), task(item), {});
  now += DAY;
  await centre.deliver(clerk, app.id, { channel: 'post' });
  return { docs, id: app.id };
}

it('the tombstone keeps each batch’s items, channel, time and venue, without the clerk', async () => {
  const { docs, id } = await deliveredInTwoBatches();
  const audit = new AuditLog(docs, () => T0 + 400 * DAY);
  const report = await purgeArchived(docs, { olderThanDays: 365, now: T0 + 400 * DAY, audit });
  expect(report.purged).toEqual([id]);

  const t = (await docs.get<Tombstone>('applications', id))!;
  expect(t.deliveries).toEqual([
    { batch: 1, items: FIRST_BATCH, channel: 'window', at: T0 + DAY, venue: 'xiangzhou-centre', by: '' },
    { batch: 2, items: REST, channel: 'post', at: T0 + 2 * DAY, venue: 'xiangzhou-centre', by: '' },
  ]);
  // The final delivery that closed the case, as the statistics read its channel.
  expect(t.delivery).toEqual({ channel: 'post', at: T0 + 2 * DAY, venue: 'xiangzhou-centre', by: '' });
  const text = JSON.stringify(t);
  for (const personal of [HOLDER, '13800138000', '张三']) expect(text).not.toContain(personal);
});
