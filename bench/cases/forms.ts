/**
 * Forms: merging a 13-item bundle whose items declare ~300 fields (cold: the unified form is
 * compiled from scratch each time, as at deploy), and validating filled unified forms.
 */
import type { JSONSchema7 } from 'json-schema';
import { exampleCodes, readExampleBundle } from '../../forms/src/bundle/examples.js';
import { loadBundle, type BundleDefinition, type ItemDefinition } from '../../forms/src/bundle/index.js';
import { fieldLibrary } from '../../forms/src/library/index.js';
import { compileForm, mergeBundle } from '../../forms/src/merge/index.js';
import { samples } from '../../forms/src/testing/samples.js';
import { validatorFor, type FormValidator } from '../../forms/src/validate/index.js';
import type { CaseDef } from '../lib/harness.js';

const ITEMS = 13;
const FIELDS_PER_ITEM = 23;

/** A small deterministic PRNG (mulberry32), so the bundle is the same on every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * 13 items × 23 library fields = 299 field declarations over the shipped library: shared fields
 * (names, ID numbers, addresses) recur across items with their own stricter maxLength, a third are
 * required, some apply only in one situation; each item asks for 4 of 20 materials.
 */
export function bigBundle(): BundleDefinition {
  const next = random(13);
  const fields = fieldLibrary.list().filter((f) => f.schema.type !== 'object' && f.schema.type !== 'array');
  const text = (zh: string, en: string) => ({ zh, en });
  const departments = Array.from({ length: 7 }, (_, i) => ({
    code: `dept-${i}`,
    name: text(`部门${i}`, `Department ${i}`),
    kind: 'authority' as const,
  }));
  const materials = Array.from({ length: 20 }, (_, i) => ({
    id: `material${i}`,
    name: text(`材料${i}`, `Material ${i}`),
    form: (i % 3 === 0 ? 'original' : 'copy') as 'original' | 'copy',
    ...(i % 5 === 0 ? { deferrable: true } : {}),
  }));
  const items: ItemDefinition[] = Array.from({ length: ITEMS }, (_, i) => {
    const chosen = new Set<number>();
    while (chosen.size < FIELDS_PER_ITEM) chosen.add(Math.floor(next() * fields.length));
    return {
      code: `item-${i}`,
      name: text(`事项${i}`, `Item ${i}`),
      department: departments[i % departments.length]!.code,
      promisedDays: 3 + (i % 5),
      ...(i % 4 === 3 ? { condition: `list contains(services, "s${i}")` } : {}),
      fields: [...chosen].map((f, k) => {
        const def = fields[f]!;
        const constraints: JSONSchema7 | undefined =
          def.schema.type === 'string' && !def.schema.format && !def.schema.enum && k % 3 === 0
            ? { maxLength: 40 + ((i * 7 + k) % 60) }
            : undefined;
        return {
          field: def.id,
          ...(k % 3 === 0 ? { required: true } : {}),
          ...(k % 5 === 4 ? { condition: 'applicantKind = "organisation"' } : {}),
          ...(constraints ? { constraints } : {}),
        };
      }),
      materials: Array.from({ length: 4 }, (_, m) => ({
        material: `material${(i * 3 + m * 5) % 20}`,
        ...(m === 0 ? { required: true } : {}),
      })),
    };
  });
  return loadBundle({
    code: 'bench-thirteen',
    version: '1.0.0',
    name: text('十三事项一件事', 'Thirteen-item bundle'),
    leadDepartment: 'dept-0',
    promisedDays: 10,
    departments,
    questions: [
      {
        id: 'applicantKind',
        label: text('申请主体', 'Applicant kind'),
        type: 'choice',
        options: [
          { value: 'person', label: text('个人', 'Person') },
          { value: 'organisation', label: text('单位', 'Organisation') },
        ],
      },
      {
        id: 'services',
        label: text('办理哪些服务', 'Services'),
        type: 'multiChoice',
        options: Array.from({ length: ITEMS }, (_, i) => ({
          value: `s${i}`,
          label: text(`服务${i}`, `Service ${i}`),
        })),
      },
    ],
    materials,
    items,
  });
}

function mergeCase(): CaseDef {
  const bundle = bigBundle();
  const declared = bundle.items.reduce((n, i) => n + i.fields.length, 0);
  const answers = { applicantKind: 'organisation', services: ['s3', 's7'] };
  let copies: BundleDefinition[] = [];
  return {
    id: 'forms-merge',
    title: `Forms: merge a ${ITEMS}-item bundle (${declared} field declarations), cold`,
    kind: 'latency',
    unit: 'ms',
    target: '< 50 ms',
    notes:
      `A generated bundle (bench/cases/forms.ts): ${ITEMS} items × ${FIELDS_PER_ITEM} library fields with per-item maxLength, ` +
      `required and situation conditions, ${bundle.materials.length} materials. Each merge gets a fresh copy of the bundle, ` +
      `so mergeBundle compiles the unified form (schema, UI schema, strictest constraints) from scratch, then applies the answers.`,
    ours: {
      label: 'mergeBundle (compileForm + answers)',
      count: 40,
      warmup: 20,
      prepare() {
        copies = Array.from({ length: 40 }, () => structuredClone(bundle));
      },
      run(count) {
        const samples: number[] = [];
        for (let i = 0; i < count; i++) {
          const started = performance.now();
          const merged = mergeBundle(copies[i % copies.length]!, answers);
          samples.push(performance.now() - started);
          if (merged.items.length === 0) throw new Error('merge found no items');
        }
        return { ops: count, samples };
      },
    },
  };
}

function validateCase(): CaseDef {
  const forms: { validate: FormValidator; data: unknown }[] = [];
  for (const code of exampleCodes()) {
    const data = samples[code];
    if (!data) continue;
    forms.push({ validate: validatorFor(compileForm(readExampleBundle(code))), data });
  }
  return {
    id: 'forms-validate',
    title: `Forms: validate a filled unified form (${forms.length} example bundles in turn)`,
    kind: 'throughput',
    unit: 'validations/s',
    target: '≥ 50,000 validations/s',
    notes:
      'validatorFor(compileForm(bundle)) on each example bundle with its valid sample data (forms/src/testing/samples.ts), ' +
      'round-robin; every result must be valid.',
    ours: {
      label: 'compiled ajv validator (formats, zh/en errors)',
      count: 100_000,
      warmup: 20_000,
      run(count) {
        for (let i = 0; i < count; i++) {
          const form = forms[i % forms.length]!;
          if (!form.validate(form.data).valid) throw new Error('a valid sample failed validation');
        }
        return { ops: count };
      },
    },
  };
}

export function formCases(): CaseDef[] {
  return [mergeCase(), validateCase()];
}
