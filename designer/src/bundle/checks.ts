/**
 * The designer's own checks of the bundle definition, shown while editing: what the server refuses
 * at deploy. Its shape by bundleSchema (the server's first check; here by an interpreting
 * validator, as the designer's Content-Security-Policy forbids ajv's generated code), then its
 * references (an `after` naming no item, an unknown department, a condition reading no question)
 * by the server's own referenceProblems, and the items' outputs and needs by its outputProblems.
 * Problems name their place as the server does (`bundle.items.seal-filing.needs.0`), so the
 * editor shows each beside its field.
 */
import { outputProblems } from '../../../engine/src/bundles/outputs.js';
import { referenceProblems } from '../../../forms/src/bundle/references.js';
import { shapeProblems, type BundleProblem } from '../../../forms/src/bundle/shape.js';
import type { BundleDefinition, ItemDefinition, OutputRef } from '../../../forms/src/bundle/types.js';
import { fieldLibrary } from '../../../forms/src/library/index.js';

export type { BundleProblem };

/** Every problem of the bundle the server would refuse it for (shape, references, outputs and needs). */
export function bundleProblems(bundle: BundleDefinition): BundleProblem[] {
  const { problems, wrongKinds } = shapeProblems(bundle);
  // The other checks read a bundle of the right kinds of values (the server runs them after the
  // schema); values of a wrong kind, or lists missing, are the first thing to fix.
  if (wrongKinds || !hasLists(bundle)) return problems;
  const references = referenceProblems(bundle, fieldLibrary).map(({ field, message }) => ({
    field,
    message,
  }));
  return [...problems, ...references, ...outputProblems(bundle)];
}

/** Whether the lists the checks walk are there: a bundle.json opened from a file may lack one. */
const hasLists = (b: BundleDefinition): boolean =>
  [b.departments, b.materials, b.items, b.questions].every(Array.isArray) &&
  b.items.every((i) => Array.isArray(i.fields) && Array.isArray(i.materials));

/** The messages of the problems exactly at `field`, for the input there; undefined when none. */
export function errorAt(problems: BundleProblem[], field: string, lang: 'zh' | 'en'): string | undefined {
  const messages = problems.filter((p) => p.field === field).map((p) => p.message[lang]);
  return messages.length ? messages.join(lang === 'zh' ? '；' : '; ') : undefined;
}

/** The problems at a place or inside it (an item's card, an output's row). */
export function problemsAt(problems: BundleProblem[], field: string): BundleProblem[] {
  return problems.filter((p) => p.field === field || p.field.startsWith(`${field}.`));
}

/** Where the item at `index` is, as problems name it: by its code, or its position while it has none. */
export const itemField = (item: ItemDefinition, index: number): string =>
  `bundle.items.${item.code || index}`;

/** Where an item's output is: by its key, or its position while it has none. */
export const outputField = (itemAt: string, item: ItemDefinition, index: number): string =>
  `${itemAt}.outputs.${item.outputs?.[index]?.key || index}`;

/**
 * The outputs an item may need: those the server accepts in its `needs` (an output of an item
 * that comes before it through `after`). Asked of outputProblems itself with every output as a
 * trial need, so the list offers exactly what deploy will take.
 */
export function availableNeeds(bundle: BundleDefinition, code: string): OutputRef[] {
  const candidates = bundle.items
    .filter((i) => i.code !== code)
    .flatMap((i) => (i.outputs ?? []).filter((o) => o.key).map((o) => ({ item: i.code, output: o.key })))
    .filter((c, n, all) => all.findIndex((d) => d.item === c.item && d.output === c.output) === n);
  const trial = {
    ...bundle,
    items: bundle.items.map((i) => (i.code === code ? { ...i, needs: candidates } : i)),
  };
  const prefix = `bundle.items.${code}.needs.`;
  const refused = new Set(
    outputProblems(trial)
      .filter((p) => p.field.startsWith(prefix))
      .map((p) => Number(p.field.slice(prefix.length))),
  );
  return candidates.filter((_, n) => !refused.has(n));
}
