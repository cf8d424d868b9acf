import { Ajv } from 'ajv';
import { fieldLibrary, type FieldLibrary } from '../library/index.js';
import { referenceProblems, serverMessage, type ReferenceProblem } from './references.js';
import { bundleSchema } from './schema.js';
import type { BundleDefinition } from './types.js';

/** Reads bundle.json: shape by JSON Schema, then references and FEEL conditions (references.ts). */

export class BundleError extends Error {
  constructor(
    readonly bundle: string,
    readonly problems: string[],
    /** The broken references with where they are and both languages (empty for a shape problem). */
    readonly references: ReferenceProblem[] = [],
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
  const references = referenceProblems(json, library);
  if (references.length) throw new BundleError(label, references.map(serverMessage), references);
  return json;
}
