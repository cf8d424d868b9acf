/**
 * The shell: session, language (zh-CN first, English switch), 长辈版 large text, the header with
 * the pages of the user's role, and the routes.
 */
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Api, type Session } from './api.js';
import { AppContext, useApp, type AppState } from './context.js';
import { translate } from './lib/i18n.js';
import type { Lang } from './lib/problems.js';
import { match, navigate, useLocation } from './router.js';
import { Login } from './pages/login.js';
import { ClerkHome } from './pages/clerk-home.js';
import { Inbox } from './pages/inbox.js';
import { TaskReview } from './pages/task-review.js';
import { RectificationCase, Rectifications } from './pages/rectifications.js';
import { Evaluate } from './pages/evaluate.js';
import { MyApplications } from './pages/my-applications.js';
import { GuideList, GuidePage } from './pages/guide.js';
import { PageLoader, lazyPage } from './components/lazy-page.js';

const NewApplication = lazyPage(
  () => import('./pages/new-application.js'),
  (m) => m.NewApplication,
);
const ApplicationDetail = lazyPage(
  () => import('./pages/application-detail.js'),
  (m) => m.ApplicationDetail,
);
const Dashboard = lazyPage(
  () => import('./pages/dashboard.js'),
  (m) => m.Dashboard,
);
const printPage = () => import('./pages/print.js');
const PrintAcceptance = lazyPage(printPage, (m) => m.PrintAcceptance);
const PrintNotice = lazyPage(printPage, (m) => m.PrintNotice);
const PrintDelivery = lazyPage(printPage, (m) => m.PrintDelivery);

const api = new Api();

function stored<T extends string>(key: string, fallback: T, allowed: readonly T[]): T {
  const v = globalThis.localStorage?.getItem(key);
  return v && (allowed as readonly string[]).includes(v) ? (v as T) : fallback;
}

export const HOME: Record<string, string> = {
  clerk: '/clerk',
  department: '/inbox',
  supervisor: '/dashboard',
  applicant: '/my',
  analyst: '/designer/',
};

export function App() {
  const [session, setSessionState] = useState<Session | null>(api.session);
  const [lang, setLangState] = useState<Lang>(() => stored<Lang>('onething.lang', 'zh', ['zh', 'en']));
  const [elder, setElderState] = useState<boolean>(
    () => globalThis.localStorage?.getItem('onething.elder') === '1',
  );
  api.lang = lang;

  const setSession = useCallback((s: Session | null) => {
    if (!s) api.logout();
    setSessionState(s);
  }, []);
  useEffect(() => {
    api.onUnauthorized = () => {
      api.logout(false); // the server already refused the token
      setSessionState(null);
    };
  }, []);
  const setLang = useCallback((l: Lang) => {
    localStorage.setItem('onething.lang', l);
    api.lang = l;
    setLangState(l);
  }, []);
  const setElder = useCallback((on: boolean) => {
    localStorage.setItem('onething.elder', on ? '1' : '0');
    setElderState(on);
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.documentElement.classList.toggle('elder', elder);
    document.title = translate(lang, 'app.title');
  }, [lang, elder]);

  const state: AppState = useMemo(
    () => ({
      api,
      session,
      setSession,
      lang,
      setLang,
      elder,
      setElder,
      t: (key, params) => translate(lang, key, params),
      tx: (text) => (text ? text[lang] || text.zh : ''),
    }),
    [session, setSession, lang, setLang, elder, setElder],
  );
  return (
    <AppContext.Provider value={state}>
      <Routes />
    </AppContext.Provider>
  );
}

function Routes() {
  const { session } = useApp();
  const { path } = useLocation();
  // Printable pages have no header; the evaluation page handles its own log-in (QR code link).
  let m: Record<string, string> | null;
  // 办事指南 is public: anyone, signed in or not.
  if (path === '/guide')
    return (
      <Frame>
        <GuideList />
      </Frame>
    );
  if ((m = match('/guide/:code', path)))
    return (
      <Frame>
        <GuidePage code={m.code!} />
      </Frame>
    );
  if ((m = match('/evaluate/:id', path)))
    return (
      <Frame bare>
        <Evaluate id={m.id!} />
      </Frame>
    );
  if (!session)
    return (
      <Frame>
        <Login />
      </Frame>
    );
  let print: ReactNode = null;
  if ((m = match('/print/acceptance/:id', path))) print = <PrintAcceptance id={m.id!} />;
  else if ((m = match('/print/notice/:id', path))) print = <PrintNotice id={m.id!} />;
  else if ((m = match('/print/delivery/:id', path))) print = <PrintDelivery id={m.id!} />;
  // Keyed by the path: a page that could not load leaves the next page free to.
  if (print) return <PageLoader key={path}>{print}</PageLoader>;
  const role = session.user.role;
  let page: ReactNode = null;
  if (role === 'clerk') {
    if (path === '/clerk') page = <ClerkHome />;
    else if (path === '/clerk/new') page = <NewApplication />;
    else if ((m = match('/clerk/applications/:id', path))) page = <ApplicationDetail id={m.id!} />;
  } else if (role === 'department') {
    if (path === '/inbox') page = <Inbox />;
    else if ((m = match('/inbox/:id', path))) page = <TaskReview id={m.id!} />;
  } else if (role === 'supervisor') {
    if (path === '/dashboard') page = <Dashboard />;
  }
  // 差评整改: departments work their cases, supervisors watch and decide appeals.
  if (role === 'department' || role === 'supervisor') {
    if (path === '/rectifications') page = <Rectifications />;
    else if ((m = match('/rectifications/:id', path))) page = <RectificationCase id={m.id!} />;
  } else if (role === 'applicant') {
    if (path === '/my') page = <MyApplications />;
  }
  if (!page) return <Redirect to={HOME[role] ?? '/login'} />;
  return (
    <Frame>
      <PageLoader key={path}>{page}</PageLoader>
    </Frame>
  );
}

function Redirect({ to }: { to: string }) {
  useEffect(() => {
    if (to.startsWith('/designer')) location.assign(to);
    else navigate(to, { replace: true });
  }, [to]);
  return null;
}

const NAV: Record<string, { href: string; key: string }[]> = {
  clerk: [
    { href: '/clerk', key: 'nav.clerkHome' },
    { href: '/clerk/new', key: 'nav.newApplication' },
  ],
  department: [
    { href: '/inbox', key: 'nav.inbox' },
    { href: '/rectifications', key: 'nav.rectifications' },
  ],
  supervisor: [
    { href: '/dashboard', key: 'nav.dashboard' },
    { href: '/rectifications', key: 'nav.rectifications' },
  ],
  applicant: [{ href: '/my', key: 'nav.my' }],
};

export function Link({
  href,
  children,
  className,
}: {
  href: string;
  children: ReactNode;
  className?: string;
}) {
  return (
    <a
      href={href}
      className={className}
      onClick={(e) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate(href);
      }}
    >
      {children}
    </a>
  );
}

function Frame({ children, bare }: { children: ReactNode; bare?: boolean }) {
  const { session, setSession, lang, setLang, elder, setElder, t } = useApp();
  const { path } = useLocation();
  return (
    <>
      <a className="skip" href="#main">
        {t('nav.skip')}
      </a>
      <header className="top no-print">
        <div className="brand">
          <span className="logo" aria-hidden="true">
            一
          </span>
          <span>{t('app.title')}</span>
        </div>
        {!bare && session && (
          <nav aria-label={t('nav.label')}>
            {(NAV[session.user.role] ?? []).map((n) => (
              <Link key={n.href} href={n.href} className={path === n.href ? 'active' : ''}>
                {t(n.key)}
              </Link>
            ))}
          </nav>
        )}
        <div className="tools">
          <Link href="/guide" className={path.startsWith('/guide') ? 'active' : ''}>
            {t('guide.title')}
          </Link>
          <button
            type="button"
            className="link"
            onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}
            lang={lang === 'zh' ? 'en' : 'zh-CN'}
          >
            {lang === 'zh' ? 'English' : '中文'}
          </button>
          <button type="button" className="link" aria-pressed={elder} onClick={() => setElder(!elder)}>
            {t(elder ? 'nav.elderOff' : 'nav.elderOn')}
          </button>
          {session && (
            <>
              <span className="who" data-testid="who">
                {session.user.name} · {t(`role.${session.user.role}`)}
              </span>
              <button
                type="button"
                className="link"
                onClick={() => {
                  setSession(null);
                  navigate('/login');
                }}
              >
                {t('nav.logout')}
              </button>
            </>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
