#!/usr/bin/env node
/**
 * Builds the browser apps with Vite: every top-level folder with a vite.config.ts (designer/,
 * web/) into its dist/, which the server serves (/designer/ and /).
 *   node bin/build-apps.js              build all apps
 *   node bin/build-apps.js --if-missing only apps without dist/index.html, or whose sources changed
 *                                       since it was built (npm's prestart and pretest)
 *   node bin/build-apps.js designer     only the named apps
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const ifMissing = args.includes('--if-missing');
const named = args.filter((a) => !a.startsWith('--'));
const apps = (named.length ? named : ['designer', 'web']).filter((app) =>
  existsSync(join(root, app, 'vite.config.ts')),
);

/** What an app's bundle is built from: its own folder and the shared code and patches it imports. */
const sourcesOf = (app) => [app, 'forms/src', 'engine/src', 'patches', 'package-lock.json'];

/** The newest modification time under these paths (dist/ and node_modules/ left out). */
function newestChange(paths) {
  let newest = 0;
  for (const path of paths.map((p) => join(root, p)).filter((p) => existsSync(p))) {
    const stat = statSync(path);
    if (!stat.isDirectory()) newest = Math.max(newest, stat.mtimeMs);
    else
      for (const entry of readdirSync(path, { recursive: true, withFileTypes: true })) {
        const at = join(entry.parentPath ?? entry.path, entry.name);
        if (!entry.isFile() || /[\\/](dist|node_modules)[\\/]/.test(at)) continue;
        newest = Math.max(newest, statSync(at).mtimeMs);
      }
  }
  return newest;
}

/** Built, and not older than any of its sources (a checkout that moved on rebuilds it). */
function upToDate(app) {
  const index = join(root, app, 'dist', 'index.html');
  return existsSync(index) && statSync(index).mtimeMs >= newestChange(sourcesOf(app));
}

let failed = false;
for (const app of apps) {
  if (ifMissing && upToDate(app)) continue;
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
