/**
 * The service centre's web app (clerk's window, department inbox, supervisor dashboard,
 * applicant evaluation): `vite build web` writes web/dist, which the server serves at `/`.
 * `vite web` runs it in development with /api proxied to the server (ONETHING_API, default
 * http://127.0.0.1:3000).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const repo = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  // Types and a few pure helpers (working-day calendar, form messages) come straight from the
  // engine and forms source folders.
  server: {
    fs: { allow: [repo] },
    proxy: { '/api': process.env.ONETHING_API ?? 'http://127.0.0.1:3000' },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 4000,
    sourcemap: false,
  },
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
});
