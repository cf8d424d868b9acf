import { Ajv } from 'ajv';
import { fieldLibrary, type FieldLibrary } from '../library/index.js';
import { referenceProblems, serverMessage } from './references.js';
import { bundleSchema } from './schema.js';
import type { BundleDefinition } from './types.js';

/** Reads bundle.json: shape by JSON Schema, then references and FEEL conditions (references.ts). */

export class BundleError extends Error {
  constructor(
    readonly bundle: string,
    readonly problems: string[],
  ) {
    super(`bundle "${bundle}" is invalid:\n- ${problems.join('\n- ')}`);
    this.name = 'BundleError';
  }
}

const checkShape = new Ajv({ allErrors: true, strict: false }).compile<BundleDefinition>(bundleSchema);

/** Validates and returns the bundle; throws BundleError listing every problem. */
export function loadBundle(json: unknown, library: FieldLibrary = fieldLibrary): BundleDefinition {
  const name = (json as { code?: unknown } | null)?.code;
  const label = typeof name === 'string' ? name : '(no code)';
  if (!checkShape(json)) {
    throw new BundleError(
      label,
      (checkShape.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`.trim()),
    );
  }
  const problems = referenceProblems(json, library).map(serverMessage);
  if (problems.length) throw new BundleError(label, problems);
  return json;
}
