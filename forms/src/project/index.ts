export { maskText, maskValue, type MaskKind } from './mask.js';
export { projectPayload, projectPayloads, type DepartmentPayload } from './project.js';
