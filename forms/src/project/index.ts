export { maskSensitiveValue, maskText, maskValue, type MaskedField, type MaskKind } from './mask.js';
export { projectPayload, projectPayloads, type DepartmentPayload } from './project.js';
