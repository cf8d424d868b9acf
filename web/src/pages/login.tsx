/** Log-in with a username and password (demo users: `<name>pass`). */
import { useState, type FormEvent } from 'react';
import { useApp } from '../context.js';
import { ErrorBanner, FieldError, useCommand } from '../components/common.js';
import { fieldMessage } from '../lib/problems.js';
import { navigate } from '../router.js';

const HOMES: Record<string, string> = {
  clerk: '/clerk',
  department: '/inbox',
  supervisor: '/dashboard',
  applicant: '/my',
  analyst: '/designer/',
};

export function LoginForm({ onDone, title }: { onDone?: () => void; title?: string }) {
  const { api, setSession, t, lang } = useApp();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useCommand();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const s = await run(() => api.login(username.trim(), password));
    if (!s) return;
    setSession(s);
    if (onDone) onDone();
    else {
      const home = HOMES[s.user.role] ?? '/';
      if (home.startsWith('/designer')) location.assign(home);
      else if (location.pathname === '/login' || location.pathname === '/') navigate(home, { replace: true });
      else navigate(location.pathname + location.search, { replace: true });
    }
  };
  const problems = error?.fieldErrors ?? [];
  return (
    <form className="card login" onSubmit={submit} aria-labelledby="login-title">
      <h1 id="login-title">{title ?? t('login.title')}</h1>
      <ErrorBanner error={error} showFields={false} />
      <label>
        {t('login.username')}
        <input
          name="username"
          autoComplete="username"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          required
          autoFocus
        />
      </label>
      <FieldError message={fieldMessage(problems, 'username', lang)} />
      <label>
        {t('login.password')}
        <input
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
        />
      </label>
      <FieldError message={fieldMessage(problems, 'password', lang)} />
      <button type="submit" className="primary" disabled={busy}>
        {busy ? t('common.working') : t('login.submit')}
      </button>
      <p className="hint">{t('login.demo')}</p>
    </form>
  );
}

export function Login() {
  return <LoginForm />;
}
