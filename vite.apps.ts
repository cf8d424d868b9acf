/**
 * The Vite settings the two browser apps share (designer/ and web/): each is built into its own
 * dist/, which the server serves, and in development (`vite <app>`) /api is proxied to the server
 * (ONETHING_API, default http://127.0.0.1:3000). The apps import engine and forms source
 * folders directly, so the dev server may read the whole repository.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, type UserConfig } from 'vite';

const repo = fileURLToPath(new URL('.', import.meta.url));

/** The config of the app in `root` (its folder URL), served under `base`. */
export function appConfig(root: URL, base: string): UserConfig {
  return defineConfig({
    root: fileURLToPath(root),
    base,
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
}
