/**
 * 分批出件 (GOV-SERVICES §3, partial failures): while a department is late or an item waits in a
 * special step, the window may hand over, at the applicant's request, the results already decided
 * (a rejection's written decision too) instead of holding everything back. Each handover is a
 * batch; the final delivery hands over what is left and closes the case.
 */
import { t, DomainError, type FieldProblem } from '../domain/errors.js';
import type { Application, DeliveryBatch, ItemCase, TimelineEntry } from './types.js';

/** What a batch may hand over before the rest is decided: a result, or a written rejection. */
const HANDED_OVER_EARLY = new Set<ItemCase['status']>(['approved', 'rejected']);
const UNDECIDED = new Set<ItemCase['status']>(['reviewing', 'needs-supplement']);

/** Each handed-over item's batch number. */
export function deliveredBatches(app: Pick<Application, 'deliveries'>): Map<string, number> {
  return new Map((app.deliveries ?? []).flatMap((d) => d.items.map((item) => [item, d.batch] as const)));
}

/** The items not handed over yet, in the case's order. */
export function undelivered(app: Pick<Application, 'items' | 'deliveries'>): ItemCase[] {
  const delivered = deliveredBatches(app);
  return app.items.filter((i) => !delivered.has(i.item));
}

/**
 * The items a batch hands over, as the clerk chose them: each of this case, decided and not handed
 * over before. Every code that is not is named with why (`items[i]`); an empty choice says what
 * there is to hand over.
 */
export function batchItems(app: Application, codes: unknown): ItemCase[] {
  if (!Array.isArray(codes) || codes.length === 0) throw nothingChosen(app);
  const delivered = deliveredBatches(app);
  const unknown: FieldProblem[] = [];
  const notReady: FieldProblem[] = [];
  const chosen: ItemCase[] = [];
  codes.forEach((code, i) => {
    if (codes.indexOf(code) !== i) return; // named twice: handed over once
    const field = `items[${i}]`;
    const item = app.items.find((c) => c.item === code);
    if (!item) {
      const message = t(`本办件没有事项“${String(code)}”`, `this case has no item "${String(code)}"`);
      unknown.push({ field, message });
    } else if (delivered.has(item.item)) {
      const n = delivered.get(item.item)!;
      notReady.push({ field, message: t(`已于第 ${n} 批出件`, `already handed over in batch ${n}`) });
    } else if (!HANDED_OVER_EARLY.has(item.status)) {
      notReady.push({ field, message: notDecided(item) });
    } else chosen.push(item);
  });
  if (unknown.length)
    throw new DomainError(
      'invalid',
      t('所选事项不属于本办件', 'an item chosen is not in this case'),
      unknown,
    );
  if (notReady.length) {
    throw new DomainError(
      'stateInvalid',
      t(
        '只能分批送达已办结且尚未出件的事项',
        'only items decided and not yet handed over can be delivered in a batch',
      ),
      notReady,
    );
  }
  return chosen;
}

function notDecided(item: ItemCase): ReturnType<typeof t> {
  return UNDECIDED.has(item.status)
    ? t('尚在办理中，办结后方可出件', 'still being decided; handed over once decided')
    : t('没有可送达的决定，随最后一次出件告知', 'no decision to hand over; told at the final delivery');
}

/** An empty batch: what the case has to hand over, or that it has nothing. */
function nothingChosen(app: Application): DomainError {
  const ready = undelivered(app).filter((i) => HANDED_OVER_EARLY.has(i.status));
  if (ready.length) {
    return new DomainError('invalid', t('请选择要出件的事项', 'choose the items to hand over'), [
      {
        field: 'items',
        message: t(
          `可出件：${ready.map((i) => i.name.zh).join('、')}`,
          `ready: ${ready.map((i) => i.name.en).join(', ')}`,
        ),
      },
    ]);
  }
  return new DomainError(
    'stateInvalid',
    t(
      '本办件没有已办结且尚未出件的事项，无法分批出件',
      'no item of this case is decided and not yet handed over: there is nothing to deliver',
    ),
    [{ field: 'items', message: t('没有可出件的事项', 'nothing to hand over') }],
  );
}

/**
 * 容缺: results wait until the deferred materials still owed have arrived. The final delivery
 * waits for every one; a batch for those serving the items it hands over (`items`).
 */
export function expectNothingOwed(app: Application, items?: readonly ItemCase[]): void {
  const codes = items && new Set(items.map((i) => i.item));
  const pending = app.materials.filter(
    (m) => m.deferral?.status === 'pending' && (!codes || m.items.some((i) => codes.has(i))),
  );
  if (!pending.length) return;
  throw new DomainError(
    'stateInvalid',
    t(
      '容缺材料尚未补齐，结果暂不出件',
      'deferred materials are still missing; results are not issued until they arrive',
    ),
    pending.map((m) => ({ field: `materials.${m.id}`, message: t('待补交', 'pending') })),
  );
}

/**
 * Records the handover of `items` as the case's next batch; what its timeline entry says: the
 * batch's number (none when nothing was left to hand over) and the results.
 */
export function recordBatch(
  app: Application,
  items: readonly ItemCase[],
  handover: Omit<DeliveryBatch, 'batch' | 'items'>,
): Record<string, unknown> {
  const results = items.map(resultOf);
  if (!items.length) return { results };
  const batch = (app.deliveries?.length ?? 0) + 1;
  (app.deliveries ??= []).push({ batch, items: items.map((i) => i.item), ...handover });
  return { batch, results };
}

/** An item's result as the delivery entry lists it: the decision, its number and outputs, a reason. */
function resultOf(i: ItemCase): Record<string, unknown> {
  return {
    item: i.item,
    status: i.status,
    resultNumber: i.resultNumber,
    ...(i.outputs ? { outputs: i.outputs } : {}),
    reason: i.reason,
  };
}

/** The batches a department sees: those holding its items, with only its items. */
export function deliveriesFor(
  deliveries: readonly DeliveryBatch[] | undefined,
  mine: ReadonlySet<string>,
): DeliveryBatch[] | undefined {
  if (!deliveries) return undefined;
  return deliveries
    .map((d) => ({ ...d, items: d.items.filter((item) => mine.has(item)) }))
    .filter((d) => d.items.length > 0);
}

/** Whether a batch's timeline entry hands over one of a department's items. */
export function batchShows(entry: TimelineEntry, mine: ReadonlySet<string>): boolean {
  const results = entry.data?.results;
  return Array.isArray(results) && results.some((r: { item?: unknown }) => mine.has(String(r.item)));
}
