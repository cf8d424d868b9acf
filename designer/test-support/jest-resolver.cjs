/**
 * Jest resolver: when CommonJS code (bpmnlint) require()s min-dash, an ES-module-only package,
 * hand it a CommonJS stand-in. Jest's own require cannot load an ES module before Node 24.9, though
 * Node 20.19+ can; everything else resolves as usual (ES imports of min-dash are untouched).
 */
const path = require('node:path');

const ESM_ONLY = new Set(['min-dash']);

module.exports = (request, options) => {
  if (
    ESM_ONLY.has(request) &&
    options.conditions &&
    options.conditions.includes('require') &&
    !options.conditions.includes('import')
  ) {
    return path.join(__dirname, `${request}.cjs`);
  }
  return options.defaultResolver(request, options);
};
