/** What every page needs: the API client, the session, the language and the large-text switch. */
import { createContext, useContext } from 'react';
import type { Api, Session } from './api.js';
import type { Lang } from './lib/problems.js';

export interface AppState {
  api: Api;
  session: Session | null;
  setSession(s: Session | null): void;
  lang: Lang;
  setLang(l: Lang): void;
  /** 长辈版: larger text and controls. */
  elder: boolean;
  setElder(on: boolean): void;
  t(key: string, params?: Record<string, string | number>): string;
  /** A {zh, en} text in the reader's language. */
  tx(text: { zh: string; en: string } | undefined): string;
}

export const AppContext = createContext<AppState | null>(null);

export function useApp(): AppState {
  const ctx = useContext(AppContext);
  if (!ctx) throw new Error('useApp outside the app');
  return ctx;
}
