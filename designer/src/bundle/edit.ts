/**
 * Pure edits of a bundle definition for the bundle editor. Each returns a new definition object
 * (the forms merge caches compiled forms by object identity, so a new object means a fresh preview).
 */
import type {
  BundleDefinition,
  ItemDefinition,
  ItemOutput,
  MaterialDefinition,
  OutputRef,
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

/** Removes an item, and the other items' `after` and `needs` naming it (see needsOn for telling the analyst). */
export function removeItem(b: Bundle, code: string): Bundle {
  return {
    ...b,
    items: b.items
      .filter((i) => i.code !== code)
      .map((i) =>
        i.after?.includes(code) || i.needs?.some((n) => n.item === code)
          ? dropUndefined({
              ...i,
              after: i.after && emptyToUndefined(i.after.filter((a) => a !== code)),
              needs: i.needs && emptyToUndefined(i.needs.filter((n) => n.item !== code)),
            })
          : i,
      ),
  };
}

/** Renames an item, following references in other items' `after` and `needs`. */
export function renameItem(b: Bundle, from: string, to: string): Bundle {
  return {
    ...b,
    items: b.items.map((i) => ({
      ...(i.code === from ? { ...i, code: to } : i),
      ...(i.after ? { after: i.after.map((a) => (a === from ? to : a)) } : {}),
      ...(i.needs ? { needs: i.needs.map((n) => (n.item === from ? { ...n, item: to } : n)) } : {}),
    })),
  };
}

/** Sets the items that must finish first; none removes `after`. */
export function setAfter(b: Bundle, code: string, after: string[]): Bundle {
  return updateItem(b, code, { after: emptyToUndefined(after) });
}

/** A new output of an item, with a key not yet taken among its outputs. */
export function addOutput(b: Bundle, code: string): Bundle {
  const item = b.items.find((i) => i.code === code);
  if (!item) return b;
  const outputs = item.outputs ?? [];
  const key = freshId(
    'newOutput',
    outputs.map((o) => o.key),
  );
  const output: ItemOutput = { key, label: { zh: '新办理结果', en: 'New result' } };
  return updateItem(b, code, { outputs: [...outputs, output] });
}

/**
 * Changes the item's output at `index` (by position: keys may repeat while being typed); a new
 * key is followed by the other items' `needs` of the old one. Undefined values are dropped.
 */
export function updateOutput(b: Bundle, code: string, index: number, patch: Partial<ItemOutput>): Bundle {
  const item = b.items.find((i) => i.code === code);
  const old = item?.outputs?.[index];
  if (!item || !old) return b;
  const output = dropUndefined({ ...old, ...patch });
  const next = updateItem(b, code, { outputs: item.outputs!.map((o, n) => (n === index ? output : o)) });
  if (output.key === old.key || sameKeyRemains(item, index, old.key)) return next;
  return mapNeeds(next, (n) => (n.item === code && n.output === old.key ? { ...n, output: output.key } : n));
}

/** Removes the item's output at `index`, and the other items' needs of it (see needsOn). */
export function removeOutput(b: Bundle, code: string, index: number): Bundle {
  const item = b.items.find((i) => i.code === code);
  const old = item?.outputs?.[index];
  if (!item || !old) return b;
  const next = updateItem(b, code, {
    outputs: emptyToUndefined(item.outputs!.filter((_, n) => n !== index)),
  });
  if (sameKeyRemains(item, index, old.key)) return next;
  return mapNeeds(next, (n) => (n.item === code && n.output === old.key ? undefined : n));
}

/** Another output of the item has the same key (a duplicate being fixed): needs stay with it. */
function sameKeyRemains(item: ItemDefinition, index: number, key: string): boolean {
  return (item.outputs ?? []).some((o, n) => n !== index && o.key === key);
}

/** Adds a need of an earlier item's output to an item (once). */
export function addNeed(b: Bundle, code: string, need: OutputRef): Bundle {
  const item = b.items.find((i) => i.code === code);
  if (!item || item.needs?.some((n) => n.item === need.item && n.output === need.output)) return b;
  return updateItem(b, code, { needs: [...(item.needs ?? []), { item: need.item, output: need.output }] });
}

export function removeNeed(b: Bundle, code: string, index: number): Bundle {
  const item = b.items.find((i) => i.code === code);
  if (!item?.needs) return b;
  return updateItem(b, code, { needs: emptyToUndefined(item.needs.filter((_, n) => n !== index)) });
}

/**
 * The needs that name an item (any of its outputs) or one output of it: what removing it takes
 * away, so the analyst can be told which items no longer receive what.
 */
export function needsOn(b: Bundle, item: string, output?: string): { item: string; need: OutputRef }[] {
  return b.items.flatMap((i) =>
    (i.needs ?? [])
      .filter((n) => n.item === item && (output === undefined || n.output === output))
      .map((need) => ({ item: i.code, need })),
  );
}

/** Every item's needs through `f` (undefined drops the need; a list left empty goes). */
function mapNeeds(b: Bundle, f: (need: OutputRef) => OutputRef | undefined): Bundle {
  return {
    ...b,
    items: b.items.map((i) => {
      if (!i.needs) return i;
      const needs = i.needs.map(f).filter((n): n is OutputRef => n !== undefined);
      const changed = needs.length !== i.needs.length || needs.some((n, k) => n !== i.needs![k]);
      return changed ? dropUndefined({ ...i, needs: emptyToUndefined(needs) }) : i;
    }),
  };
}

/** The bundle's age rule for applicants (working age); undefined removes it. */
export function setApplicantAge(b: Bundle, rule: Bundle['applicantAge']): Bundle {
  return dropUndefined({ ...b, applicantAge: rule && dropUndefined({ ...rule }) });
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
