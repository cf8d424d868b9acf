import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadBundle } from './load.js';
import type { BundleDefinition } from './types.js';

/** The example bundles shipped in examples/<code>/bundle.json (used by tests and codegen). */

export const examplesDir = fileURLToPath(new URL('../../../examples/', import.meta.url));

export function exampleCodes(): string[] {
  return readdirSync(examplesDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && readdirSync(examplesDir + d.name).includes('bundle.json'))
    .map((d) => d.name)
    .sort();
}

export function readExampleBundle(code: string): BundleDefinition {
  return loadBundle(JSON.parse(readFileSync(`${examplesDir}${code}/bundle.json`, 'utf8')));
}
