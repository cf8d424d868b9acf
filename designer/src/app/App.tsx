/** The designer: toolbar, diagram with properties panel, bundle editor, checker and server problems. */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { BundleDefinition } from '../../../forms/src/bundle/types.js';
import { bundleProblems } from '../bundle/checks.js';
import { listDrafts, readDraft, saveDraft } from '../bundle/drafts.js';
import { readBundleFile } from '../bundle/read-file.js';
import { templateBundle, templateXml } from '../bundle/template.js';
import { GovContext, type Lang } from '../modeler/context.js';
import { createModeler, importXml, refreshLinting, type AnyModeler } from '../modeler/create.js';
import {
  clearServerProblems,
  placeProblems,
  showServerProblems,
  type PlacedProblems,
} from '../modeler/problems.js';
import { Api, ApiError, type BundleSummary } from './api.js';
import { BundleEditor, type Tab } from './BundleEditor.js';
import { t } from './i18n.js';

interface Issue {
  id: string;
  message: string;
  category: string;
  rule: string;
}

const api = new Api();
const LANG_KEY = 'onething.designer.lang';

declare global {
  interface Window {
    /** For tests and benchmarks: the live modeler and the last import time. */
    designer?: { modeler: AnyModeler; lastImportMs: number; openXml: (xml: string) => Promise<number> };
  }
}

export function App() {
  const [lang, setLang] = useState<Lang>(() => (localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh'));
  const [bundle, setBundle] = useState<BundleDefinition>(() => templateBundle());
  const [issues, setIssues] = useState<Issue[]>([]);
  const [server, setServer] = useState<PlacedProblems>({ onDiagram: [], elsewhere: [] });
  const [status, setStatus] = useState<{ error?: boolean; text: string } | null>(null);
  const [bundles, setBundles] = useState<BundleSummary[]>([]);
  const [signedIn, setSignedIn] = useState(api.signedIn);
  const [login, setLogin] = useState<null | { then?: () => void }>(null);
  const [tab, setTab] = useState<Tab>('items');
  const [showDrafts, setShowDrafts] = useState(false);

  const canvasRef = useRef<HTMLDivElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const modelerRef = useRef<AnyModeler>(null);
  const gov = useRef(new GovContext()).current;
  // The bundle's own problems (what deploy would refuse), beside the diagram's.
  const checks = useMemo(() => bundleProblems(bundle), [bundle]);
  const xmlRef = useRef<string>(templateXml());

  gov.bundle = bundle;
  gov.lang = lang;

  // One modeler per language (palette and context pad are translated when created).
  useEffect(() => {
    const modeler = createModeler(canvasRef.current!, panelRef.current!, gov);
    modelerRef.current = modeler;
    modeler.on('linting.completed', (event: { issues: Record<string, Issue[]> }) =>
      setIssues(Object.values(event.issues).flat()),
    );
    modeler.on('commandStack.changed', () => setStatus(null));
    const openXml = async (xml: string) => {
      const result = await importXml(modeler, xml);
      window.designer!.lastImportMs = result.ms;
      return result.ms;
    };
    window.designer = { modeler, lastImportMs: 0, openXml };
    void openXml(xmlRef.current).catch((err: Error) =>
      setStatus({ error: true, text: `${t(lang, 'loadFailed')}: ${err.message}` }),
    );
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    api.lang = lang;
    // The diagram was saved into xmlRef before the language changed (switchLanguage).
    return () => modeler.destroy();
    // Deliberately keyed on these values only (the effect reads the rest through refs).
  }, [lang]);

  // The checker and the panel's pickers follow the bundle.
  useEffect(() => {
    if (modelerRef.current) refreshLinting(modelerRef.current, gov);
  }, [bundle, lang, gov]);

  const refreshBundles = useCallback(async () => {
    if (!api.signedIn) return;
    try {
      setBundles(await api.listBundles());
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setSignedIn(false);
    }
  }, []);
  useEffect(() => void refreshBundles(), [refreshBundles, signedIn]);

  const currentXml = async (): Promise<string> => (await modelerRef.current.saveXML({ format: true })).xml;

  /** The next language's modeler opens the diagram as it is now: saved first, then switched. */
  const switchLanguage = async () => {
    xmlRef.current = await currentXml();
    const next = lang === 'zh' ? 'en' : 'zh';
    localStorage.setItem(LANG_KEY, next);
    setLang(next);
  };

  const open = async (next: BundleDefinition, xml: string, code: string) => {
    setBundle(next);
    gov.bundle = next;
    xmlRef.current = xml;
    setServer({ onDiagram: [], elsewhere: [] });
    clearServerProblems(modelerRef.current);
    const result = await importXml(modelerRef.current, xml);
    window.designer!.lastImportMs = result.ms;
    refreshLinting(modelerRef.current, gov);
    setStatus({
      text:
        t(lang, 'opened', { code, ms: Math.round(result.ms) }) + (result.laidOut ? t(lang, 'laidOut') : ''),
    });
  };

  const openFromServer = async (code: string) => {
    try {
      const record = await api.getBundle(code);
      await open(record.definition, record.xml, code);
    } catch (err) {
      setStatus({ error: true, text: `${t(lang, 'loadFailed')}: ${(err as Error).message}` });
    }
  };

  const needSignIn = (then: () => void) => {
    if (api.signedIn) return then();
    setLogin({ then });
  };

  const deploy = async () => {
    const xml = await currentXml();
    const errors = issues.filter((i) => i.category === 'error').length + checks.length;
    if (errors && !window.confirm(t(lang, 'lintBeforeDeploy', { n: errors }))) return;
    try {
      const summary = await api.deploy(bundle, xml);
      clearServerProblems(modelerRef.current);
      setServer({ onDiagram: [], elsewhere: [] });
      setStatus({ text: t(lang, 'deployed', { code: summary.code, version: summary.version }) });
      void refreshBundles();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        setSignedIn(false);
        setLogin({ then: () => void deploy() });
        return;
      }
      const registry = modelerRef.current.get('elementRegistry');
      const placed = placeProblems(
        err instanceof ApiError ? err.errors : [],
        lang,
        (id) => !!registry.get(id),
      );
      showServerProblems(modelerRef.current, placed.onDiagram);
      setServer(placed);
      setStatus({ error: true, text: `${t(lang, 'deployFailed')}: ${(err as Error).message}` });
    }
  };

  const download = async (kind: 'bpmn' | 'bundle') => {
    const [text, name, type] =
      kind === 'bpmn'
        ? [await currentXml(), `${bundle.code}.bpmn`, 'application/xml']
        : [JSON.stringify(bundle, null, 2) + '\n', `${bundle.code}.bundle.json`, 'application/json'];
    const url = URL.createObjectURL(new Blob([text], { type }));
    const a = Object.assign(document.createElement('a'), { href: url, download: name });
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  /** A bundle.json or a BPMN file; one that is neither is refused with the reason, and what is open stays. */
  const openLocalFile = async (file: File) => {
    const failed = (why: string) =>
      setStatus({ error: true, text: `${t(lang, 'loadFailed')} ${file.name}：${why}` });
    const text = await file.text();
    if (file.name.endsWith('.json')) {
      const read = readBundleFile(text);
      if ('problem' in read) return failed(`${t(lang, read.problem)}（${read.detail}）`);
      setBundle(read.bundle);
      gov.bundle = read.bundle;
      refreshLinting(modelerRef.current, gov);
      return;
    }
    try {
      await open(bundle, text, file.name);
    } catch (err) {
      failed((err as Error).message);
    }
  };

  /** Bundle edits; a new bundle code is carried to the process's gov:bundle when it named the old one. */
  const changeBundle = (next: BundleDefinition) => {
    if (next.code !== bundle.code) {
      const root = modelerRef.current.get('canvas').getRootElement();
      const process = root.businessObject;
      if (process?.$instanceOf?.('bpmn:Process') && process.get('gov:bundle') === bundle.code) {
        modelerRef.current.get('modeling').updateModdleProperties(root, process, { 'gov:bundle': next.code });
      }
    }
    setBundle(next);
  };

  const select = (id: string) => {
    const element = modelerRef.current.get('elementRegistry').get(id);
    if (!element) return;
    modelerRef.current.get('selection').select(element);
    modelerRef.current.get('canvas').scrollToElement(element);
  };

  const errorCount = issues.filter((i) => i.category === 'error').length + checks.length;
  const warnCount = issues.filter((i) => i.category === 'warn').length;

  return (
    <div className="designer">
      <header className="toolbar">
        <h1>{t(lang, 'title')}</h1>
        <select
          aria-label={t(lang, 'open')}
          data-testid="open-bundle"
          value=""
          onFocus={() => void refreshBundles()}
          onChange={(e) => e.target.value && needSignIn(() => void openFromServer(e.target.value))}
        >
          <option value="">
            {signedIn ? t(lang, 'openPlaceholder') : `${t(lang, 'open')}（${t(lang, 'signIn')}）`}
          </option>
          {bundles.map((b) => (
            <option key={b.code} value={b.code}>
              {b.name[lang]} ({b.code} v{b.version})
            </option>
          ))}
        </select>
        <button onClick={() => void open(templateBundle(), templateXml(), 'new-bundle')}>
          {t(lang, 'fromTemplate')}
        </button>
        <button
          onClick={async () => {
            saveDraft(localStorage, { bundle, xml: await currentXml() });
            setStatus({ text: t(lang, 'draftSaved') });
          }}
        >
          {t(lang, 'saveDraft')}
        </button>
        <span className="menu">
          <button onClick={() => setShowDrafts(!showDrafts)}>{t(lang, 'drafts')}</button>
          {showDrafts && (
            <ul className="dropdown">
              {listDrafts(localStorage).map((d) => (
                <li key={d.code}>
                  <button
                    className="link"
                    onClick={() => {
                      const draft = readDraft(localStorage, d.code);
                      setShowDrafts(false);
                      if (draft) void open(draft.bundle, draft.xml, d.code);
                    }}
                  >
                    {d.name[lang]} ({d.code}) {new Date(d.savedAt).toLocaleString()}
                  </button>
                </li>
              ))}
              {listDrafts(localStorage).length === 0 && <li>{t(lang, 'noDrafts')}</li>}
            </ul>
          )}
        </span>
        <label className="file-button">
          {t(lang, 'openFile')}
          <input
            type="file"
            accept=".bpmn,.xml,.json"
            onChange={(e) => e.target.files?.[0] && void openLocalFile(e.target.files[0])}
          />
        </label>
        <button onClick={() => void download('bpmn')}>{t(lang, 'downloadBpmn')}</button>
        <button onClick={() => void download('bundle')}>{t(lang, 'downloadBundle')}</button>
        <button className="primary" data-testid="deploy" onClick={() => needSignIn(() => void deploy())}>
          {t(lang, 'deploy')}
        </button>
        <span className="spacer" />
        <span
          className={`lint-summary ${errorCount ? 'bad' : warnCount ? 'warn' : 'ok'}`}
          data-testid="lint-summary"
          data-errors={errorCount}
          data-warnings={warnCount}
        >
          {t(lang, 'checker')}：
          {errorCount || warnCount
            ? `${errorCount} ${t(lang, 'errors')}，${warnCount} ${t(lang, 'warnings')}`
            : t(lang, 'noIssues')}
        </span>
        <button data-testid="lang" onClick={() => void switchLanguage()}>
          {t(lang, 'language')}
        </button>
        {signedIn ? (
          <button
            onClick={() => {
              api.signOut();
              setSignedIn(false);
              setBundles([]);
            }}
          >
            {api.user} · {t(lang, 'signOut')}
          </button>
        ) : (
          <button data-testid="sign-in" onClick={() => setLogin({})}>
            {t(lang, 'signIn')}
          </button>
        )}
      </header>
      {status && (
        <div className={`status ${status.error ? 'error' : ''}`} data-testid="status">
          {status.text}
        </div>
      )}
      <main className="workspace">
        <section className="diagram">
          <div className="canvas" ref={canvasRef} />
          <footer className="issues" data-testid="issues">
            {server.onDiagram.map((p, i) => (
              <div key={`s${i}`} className="issue server" onClick={() => select(p.elementId)}>
                <b>{t(lang, 'serverProblems')}</b> <code>{p.elementId}</code> {p.message}
              </div>
            ))}
            {checks.map((p, i) => (
              <div
                key={`b${i}`}
                className="issue error bundle"
                data-field={p.field}
                onClick={() => setTab(p.field.startsWith('bundle.items.') ? 'items' : 'general')}
              >
                <code>{p.field}</code> {p.message[lang]}
              </div>
            ))}
            {issues.map((issue, i) => (
              <div
                key={i}
                className={`issue ${issue.category}`}
                onClick={() => select(issue.id)}
                data-rule={issue.rule}
              >
                <code>{issue.id}</code> {issue.message} <span className="muted">{issue.rule}</span>
              </div>
            ))}
          </footer>
        </section>
        <aside className="properties" ref={panelRef} data-testid="properties" />
        <aside className="bundle">
          <BundleEditor
            bundle={bundle}
            lang={lang}
            onChange={changeBundle}
            problems={server.elsewhere}
            checks={checks}
            onNotice={(text) => setStatus({ text })}
            tab={tab}
            onTab={setTab}
          />
        </aside>
      </main>
      {login && (
        <LoginDialog
          lang={lang}
          onCancel={() => setLogin(null)}
          onSignedIn={() => {
            setSignedIn(true);
            const then = login.then;
            setLogin(null);
            then?.();
          }}
        />
      )}
    </div>
  );
}

function LoginDialog({
  lang,
  onCancel,
  onSignedIn,
}: {
  lang: Lang;
  onCancel: () => void;
  onSignedIn: () => void;
}) {
  const [username, setUsername] = useState('analyst1');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="modal">
      <form
        className="dialog"
        data-testid="login"
        onSubmit={async (e) => {
          e.preventDefault();
          try {
            await api.signIn(username, password);
            onSignedIn();
          } catch (err) {
            setError((err as Error).message);
          }
        }}
      >
        <h3>{t(lang, 'signIn')}</h3>
        <p className="muted">{t(lang, 'signInFirst')}</p>
        <label className="field">
          <span>{t(lang, 'username')}</span>
          <input
            name="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            autoComplete="username"
          />
        </label>
        <label className="field">
          <span>{t(lang, 'password')}</span>
          <input
            name="password"
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            autoComplete="current-password"
          />
        </label>
        {error && <p className="error">{error}</p>}
        <div className="buttons">
          <button type="button" onClick={onCancel}>
            {t(lang, 'cancel')}
          </button>
          <button type="submit" className="primary">
            {t(lang, 'signIn')}
          </button>
        </div>
      </form>
    </div>
  );
}
