import { Ajv } from 'ajv';
import { fieldLibrary, type FieldLibrary } from '../library/index.js';
import { referenceProblems, serverMessage, type ReferenceProblem } from './references.js';
import { shapeProblems } from './shape.js';
import { bundleSchema } from './schema.js';
import type { BundleDefinition } from './types.js';

/** Reads bundle.json: shape by JSON Schema, then references and FEEL conditions (references.ts). */

export class BundleError extends Error {
  constructor(
    readonly bundle: string,
    readonly problems: string[],
    /** Each problem with where it is (by codes) and in both languages. */
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
    const errors = checkShape.errors ?? [];
    throw new BundleError(
      label,
      errors.map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`.trim()),
      shapeProblems(json).problems,
    );
  }
  const references = referenceProblems(json, library);
  if (references.length) throw new BundleError(label, references.map(serverMessage), references);
  return json;
}
