export { maskText, maskValue, type MaskKind } from './mask.js';
export { projectPayloads, type DepartmentPayload } from './project.js';
