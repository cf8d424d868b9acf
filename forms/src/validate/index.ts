export * from './formats/index.js';
export {
  validateForm,
  validatorFor,
  type FieldError,
  type FormValidator,
  type ValidationResult,
} from './validator.js';
export { addGovKeywords, hasAtMostDecimals } from './keywords.js';
export { normaliseIdNumbers } from './normalise.js';
export { linearRegExp, patternProblem } from './safe-regexp.js';
