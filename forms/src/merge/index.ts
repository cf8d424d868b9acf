export { combineConstraints, MergeConflictError } from './constraints.js';
export { dropHiddenValues, initialData, type UnifiedData } from './data.js';
export { fieldApplies, fieldRequired, usageApplies, type FieldUsage, type UnifiedField } from './fields.js';
export type { MergedMaterial } from './materials.js';
export {
  activeItems,
  compileForm,
  mergeBundle,
  type AppliedField,
  type MergeResult,
  type UnifiedForm,
} from './merge.js';
export type { MergeProblem } from './no-items.js';
export { residentIdTypes } from './schema.js';
export type { ControlElement, GroupElement, Translations, UiSchema } from './uischema.js';
