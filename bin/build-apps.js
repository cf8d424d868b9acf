#!/usr/bin/env node
/**
 * Builds the browser apps with Vite: every top-level folder with a vite.config.ts (designer/,
 * web/) into its dist/, which the server serves (/designer/ and /).
 *   node bin/build-apps.js              build all apps
 *   node bin/build-apps.js --if-missing only apps without dist/index.html (npm's prestart)
 *   node bin/build-apps.js designer     only the named apps
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const ifMissing = args.includes('--if-missing');
const named = args.filter((a) => !a.startsWith('--'));
const apps = (named.length ? named : ['designer', 'web']).filter((app) =>
  existsSync(join(root, app, 'vite.config.ts')),
);

let failed = false;
for (const app of apps) {
  if (ifMissing && existsSync(join(root, app, 'dist', 'index.html'))) continue;
  console.log(`building ${app}/ → ${app}/dist`);
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', app, '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    console.error(`${app}: vite build failed`);
    failed = true;
  }
}
// Before `npm start` a failed build is reported but does not stop the server (it serves what it has).
process.exit(failed && !ifMissing ? 1 : 0);
