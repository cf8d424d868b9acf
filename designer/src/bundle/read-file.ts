/**
 * A bundle.json the analyst opens from disk, read before it replaces the bundle being edited: it
 * must be JSON and have the shape of a bundle (bundleSchema, by an interpreting validator: the
 * designer's Content-Security-Policy forbids ajv's generated code). References and FEEL
 * conditions are left to the checker and the server, as for any edit.
 */
import { Validator, type Schema } from '@cfworker/json-schema';
import { bundleSchema } from '../../../forms/src/bundle/schema.js';
import type { BundleDefinition } from '../../../forms/src/bundle/types.js';

export type BundleFile = { bundle: BundleDefinition } | { problem: 'notJson' | 'notBundle'; detail: string };

const shape = new Validator(bundleSchema as Schema, '7', false);

export function readBundleFile(text: string): BundleFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { problem: 'notJson', detail: (err as Error).message };
  }
  const result = shape.validate(json);
  if (result.valid) return { bundle: json as BundleDefinition };
  // The innermost errors say where: `#/items/0/name: required zh`.
  const where = result.errors
    .filter((e) => e.keyword !== 'properties' && e.keyword !== 'items' && e.keyword !== 'allOf')
    .slice(0, 3)
    .map((e) => `${e.instanceLocation}: ${e.error}`);
  return { problem: 'notBundle', detail: where.join('; ') };
}
