/**
 * The TypeScript projects type-check. ts-jest compiles each file on its own (isolatedModules)
 * without reporting type errors, so without this a type error — including the compile-time
 * guards some modules rely on, e.g. purity.test's Required<…> state that makes a field added to
 * InstanceState fail until workingCopy copies it — would pass `npm test`.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

/** tsc's report for one project: empty when it type-checks. */
function typeErrors(project: string): Promise<string> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [tsc, '-p', project, '--noEmit', '--pretty', 'false'],
      { cwd: root, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => resolve(error ? `${stdout}${stderr}` || String(error) : ''),
    );
  });
}

describe('type check', () => {
  for (const project of ['tsconfig.json', 'designer/tsconfig.json', 'web/tsconfig.json']) {
    it(`${project} has no type errors`, async () => {
      expect(await typeErrors(project)).toBe('');
    }, 300_000);
  }
});
