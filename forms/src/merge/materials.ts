import type { BundleDefinition, MaterialDefinition } from '../bundle/index.js';
import type { ConditionCheck } from '../feel/condition.js';

/** One set of materials: each material once, listing every item it serves. */
export interface MergedMaterial {
  id: string;
  name: MaterialDefinition['name'];
  /** original when any item wants to inspect the original. */
  form: MaterialDefinition['form'];
  source: NonNullable<MaterialDefinition['source']>;
  /** required when any item requires it. */
  required: boolean;
  eLicenceType?: string;
  /** 容缺 only when every item it serves allows deferral. */
  deferrable: boolean;
  /** 告知承诺 only when every item it serves accepts a commitment. */
  commitment: boolean;
  items: string[];
}

export function mergeMaterials(
  bundle: BundleDefinition,
  check: ConditionCheck,
  activeItems: ReadonlySet<string>,
): MergedMaterial[] {
  const byId = new Map(bundle.materials.map((m) => [m.id, m]));
  const merged = new Map<string, MergedMaterial>();
  for (const item of bundle.items) {
    if (!activeItems.has(item.code)) continue;
    for (const use of item.materials) {
      if (!check(use.condition)) continue;
      const def = byId.get(use.material)!;
      const m =
        merged.get(def.id) ??
        merged
          .set(def.id, {
            id: def.id,
            name: def.name,
            form: def.form,
            source: def.source ?? 'applicant',
            required: false,
            ...(def.eLicenceType ? { eLicenceType: def.eLicenceType } : {}),
            deferrable: true,
            commitment: true,
            items: [],
          })
          .get(def.id)!;
      // loadBundle refuses a material listed twice in one item; a bundle built in code may still do it.
      if (!m.items.includes(item.code)) m.items.push(item.code);
      m.required ||= use.required === true;
      if (use.original === true) m.form = 'original';
      // An item's own list may grant or refuse relief; across items the stricter answer wins.
      m.deferrable &&= use.deferrable ?? def.deferrable === true;
      // commitmentWhen: the situations the rules allow a commitment in (not for raw food…).
      m.commitment &&= (use.commitment ?? def.commitment === true) && check(def.commitmentWhen);
    }
  }
  return [...merged.values()];
}
