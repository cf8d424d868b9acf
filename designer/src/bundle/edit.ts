/**
 * Pure edits of a bundle definition for the bundle editor. Each returns a new definition object
 * (the forms merge caches compiled forms by object identity, so a new object means a fresh preview).
 */
import type {
  BundleDefinition,
  ItemDefinition,
  MaterialDefinition,
  SituationQuestion,
} from '../../../forms/src/bundle/types.js';

export type Bundle = BundleDefinition;

/** A code not yet taken: base, base-2, base-3… */
export function freshCode(base: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  if (!used.has(base)) return base;
  for (let n = 2; ; n++) if (!used.has(`${base}-${n}`)) return `${base}-${n}`;
}

/** camelCase ids (questions, materials): base, base2, base3… */
export function freshId(base: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  if (!used.has(base)) return base;
  for (let n = 2; ; n++) if (!used.has(`${base}${n}`)) return `${base}${n}`;
}

export function addItem(b: Bundle, department = b.departments[0]?.code ?? ''): Bundle {
  const code = freshCode(
    'new-item',
    b.items.map((i) => i.code),
  );
  const item: ItemDefinition = {
    code,
    name: { zh: '新事项', en: 'New item' },
    department,
    promisedDays: 1,
    fields: [],
    materials: [],
  };
  return { ...b, items: [...b.items, item] };
}

export function updateItem(b: Bundle, code: string, patch: Partial<ItemDefinition>): Bundle {
  return { ...b, items: b.items.map((i) => (i.code === code ? dropUndefined({ ...i, ...patch }) : i)) };
}

export function removeItem(b: Bundle, code: string): Bundle {
  return {
    ...b,
    items: b.items
      .filter((i) => i.code !== code)
      .map((i) =>
        i.after?.includes(code)
          ? dropUndefined({ ...i, after: emptyToUndefined(i.after.filter((a) => a !== code)) })
          : i,
      ),
  };
}

/** Renames an item, following references in other items' `after`. */
export function renameItem(b: Bundle, from: string, to: string): Bundle {
  return {
    ...b,
    items: b.items.map((i) => ({
      ...(i.code === from ? { ...i, code: to } : i),
      ...(i.after ? { after: i.after.map((a) => (a === from ? to : a)) } : {}),
    })),
  };
}

export function addDepartment(b: Bundle): Bundle {
  const code = freshCode(
    'new-department',
    b.departments.map((d) => d.code),
  );
  return {
    ...b,
    departments: [
      ...b.departments,
      { code, name: { zh: '新部门', en: 'New department' }, kind: 'authority' },
    ],
  };
}

export function updateDepartment(
  b: Bundle,
  code: string,
  patch: Partial<Bundle['departments'][number]>,
): Bundle {
  const renamed = patch.code !== undefined && patch.code !== code ? patch.code : undefined;
  return {
    ...b,
    leadDepartment: renamed && b.leadDepartment === code ? renamed : b.leadDepartment,
    departments: b.departments.map((d) => (d.code === code ? { ...d, ...patch } : d)),
    items: renamed
      ? b.items.map((i) => (i.department === code ? { ...i, department: renamed } : i))
      : b.items,
  };
}

export function removeDepartment(b: Bundle, code: string): Bundle {
  return { ...b, departments: b.departments.filter((d) => d.code !== code) };
}

export function addQuestion(b: Bundle): Bundle {
  const id = freshId(
    'newQuestion',
    b.questions.map((q) => q.id),
  );
  const question: SituationQuestion = { id, label: { zh: '新问题', en: 'New question' }, type: 'boolean' };
  return { ...b, questions: [...b.questions, question] };
}

export function updateQuestion(b: Bundle, id: string, patch: Partial<SituationQuestion>): Bundle {
  return {
    ...b,
    questions: b.questions.map((q) => {
      if (q.id !== id) return q;
      const next = dropUndefined({ ...q, ...patch });
      // Choices need options; other types have none.
      if ((next.type === 'choice' || next.type === 'multiChoice') && !next.options?.length) {
        next.options = [
          { value: 'yes', label: { zh: '是', en: 'Yes' } },
          { value: 'no', label: { zh: '否', en: 'No' } },
        ];
      }
      if (next.type !== 'choice' && next.type !== 'multiChoice') delete next.options;
      return next;
    }),
  };
}

export function removeQuestion(b: Bundle, id: string): Bundle {
  return { ...b, questions: b.questions.filter((q) => q.id !== id) };
}

export function addMaterial(b: Bundle): Bundle {
  const id = freshId(
    'newMaterial',
    b.materials.map((m) => m.id),
  );
  const material: MaterialDefinition = { id, name: { zh: '新材料', en: 'New material' }, form: 'copy' };
  return { ...b, materials: [...b.materials, material] };
}

export function updateMaterial(b: Bundle, id: string, patch: Partial<MaterialDefinition>): Bundle {
  const renamed = patch.id !== undefined && patch.id !== id ? patch.id : undefined;
  return {
    ...b,
    materials: b.materials.map((m) => (m.id === id ? dropUndefined({ ...m, ...patch }) : m)),
    items: renamed
      ? b.items.map((i) => ({
          ...i,
          materials: i.materials.map((u) => (u.material === id ? { ...u, material: renamed } : u)),
        }))
      : b.items,
  };
}

/** Removes a material and every item's use of it. */
export function removeMaterial(b: Bundle, id: string): Bundle {
  return {
    ...b,
    materials: b.materials.filter((m) => m.id !== id),
    items: b.items.map((i) => ({ ...i, materials: i.materials.filter((u) => u.material !== id) })),
  };
}

/** Adds a library field to an item (once). */
export function addItemField(b: Bundle, code: string, field: string, required = true): Bundle {
  const item = b.items.find((i) => i.code === code);
  if (!item || item.fields.some((f) => f.field === field)) return b;
  return updateItem(b, code, { fields: [...item.fields, { field, required }] });
}

export function addItemMaterial(b: Bundle, code: string, material: string, required = true): Bundle {
  const item = b.items.find((i) => i.code === code);
  if (!item || item.materials.some((m) => m.material === material)) return b;
  return updateItem(b, code, { materials: [...item.materials, { material, required }] });
}

/** Situation answers that make every question "answered" with its first option (preview start). */
export function defaultAnswers(b: Bundle): Record<string, unknown> {
  const answers: Record<string, unknown> = {};
  for (const q of b.questions) {
    if (q.type === 'boolean') answers[q.id] = false;
    else if (q.type === 'choice') answers[q.id] = q.options?.[0]?.value;
    else if (q.type === 'multiChoice') answers[q.id] = [];
    else answers[q.id] = q.minimum ?? 0;
  }
  return answers;
}

function emptyToUndefined<T>(list: T[]): T[] | undefined {
  return list.length ? list : undefined;
}

function dropUndefined<T extends object>(o: T): T {
  for (const key of Object.keys(o) as (keyof T)[]) if (o[key] === undefined) delete o[key];
  return o;
}
