/**
 * The analysts' designer: `vite build designer` writes designer/dist, which the server serves
 * under /designer/. `vite designer` runs it in development with /api proxied to the server
 * (ONETHING_API, default http://127.0.0.1:3000).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const repo = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  root,
  base: '/designer/',
  // The app imports the engine's moddle descriptor, supported-element table and FEEL compiler,
  // and the forms merge, straight from their source folders.
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
