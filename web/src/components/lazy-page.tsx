/**
 * Pages with a heavy library of their own (JSON Forms and the form checks, ECharts, QR codes)
 * load when first shown, so the log-in, evaluation, guide and inbox pages come without them: an
 * applicant scanning the evaluation QR code on a phone downloads a fraction of the app.
 */
import { Component, Suspense, lazy, type ComponentType, type ReactNode } from 'react';
import { useApp } from '../context.js';
import { Loading } from './common.js';

/** A page component from a module loaded on first use (`pick` names its export). */
export function lazyPage<P extends object, M>(
  load: () => Promise<M>,
  pick: (module: M) => ComponentType<P>,
): ComponentType<P> {
  return lazy(async () => ({ default: pick(await load()) }));
}

/** Shows a loading line while a page's module loads, and a way out if it cannot load. */
export function PageLoader({ children }: { children: ReactNode }) {
  return (
    <NotLoaded>
      <Suspense fallback={<Loading />}>{children}</Suspense>
    </NotLoaded>
  );
}

/**
 * A module that failed to load (the network dropped, or the server was upgraded since this tab
 * opened and the old file is gone) is told, with a reload that fetches the current app.
 */
class NotLoaded extends Component<{ children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };
  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }
  override render() {
    return this.state.failed ? <LoadFailed /> : this.props.children;
  }
}

function LoadFailed() {
  const { t } = useApp();
  return (
    <div className="error-banner" role="alert">
      <p>{t('common.loadFailed')}</p>
      <button type="button" onClick={() => location.reload()}>
        {t('common.reload')}
      </button>
    </div>
  );
}
