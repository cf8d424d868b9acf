export type * from './types.js';
export { bundleSchema } from './schema.js';
export { BundleError, loadBundle } from './load.js';
