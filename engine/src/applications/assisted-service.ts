/**
 * 帮办代办 at the centre: staff record who assisted the applicant, checked when recorded and
 * again at acceptance (network/assisted.ts holds the rules for agents and authorisations).
 */
import type { Actor } from '../domain/actor.js';
import { t, DomainError } from '../domain/errors.js';
import { checkAuthorisationAtAcceptance, validateAssisted, type ServiceNetwork } from '../network/index.js';
import { assistedSummary } from './masking.js';
import { record } from './timeline.js';
import type { Application } from './types.js';

/**
 * 帮办代办: checks the agent and the authorisation (network/assisted.ts) and records who assisted,
 * where and when. Window or service-station staff record it, not an applicant's account.
 */
export function recordAssisted(
  network: ServiceNetwork | undefined,
  app: Application,
  actor: Actor,
  input: unknown,
  now: number,
): void {
  if (actor.role !== 'clerk') {
    throw new DomainError(
      'forbidden',
      t(
        '帮办代办须由窗口或便民服务站工作人员登记',
        'assisted service is recorded by window or station staff',
      ),
      [
        {
          field: 'assisted',
          message: t('申请人账号不能登记代办', "an applicant's account cannot record it"),
        },
      ],
    );
  }
  const assisted = validateAssisted(input, assistedContext(app, now));
  if (assisted.venue && network && !network.venues.has(assisted.venue)) {
    throw new DomainError(
      'invalid',
      t(`服务场所 ${assisted.venue} 不在服务网络中`, `venue ${assisted.venue} is not in the service network`),
      [{ field: 'assisted.venue', message: t('未知的服务场所', 'unknown venue') }],
    );
  }
  // Re-recorded at acceptance (e.g. the original seen), it keeps where the agent helped.
  const venue = assisted.venue ?? app.assisted?.venue ?? actor.venue;
  app.assisted = { ...assisted, ...(venue ? { venue } : {}), recordedBy: actor.userId, at: now };
  record(app, actor, now, 'assisted', assistedSummary(app.assisted));
}

/** At acceptance the authorisation must still hold (not expired, covering the items now chosen) and be verified. */
export function checkAssisted(app: Application, now: number): void {
  if (!app.assisted) return;
  validateAssisted(app.assisted, assistedContext(app, now));
  checkAuthorisationAtAcceptance(app.assisted, app.applicant.kind);
}

function assistedContext(app: Application, now: number) {
  return { applicant: app.applicant, bundleCode: app.bundleCode, items: app.items.map((i) => i.item), now };
}
