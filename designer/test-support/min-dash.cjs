/**
 * CommonJS stand-in for min-dash under jest (see jest-resolver.cjs). Jest's sandbox also wraps
 * `module` and process.getBuiltinModule, so Node's own require(esm) cannot be reached: this file
 * provides what bpmnlint's CommonJS files take from min-dash (lib/, rules/, resolvers), with
 * min-dash 5's semantics.
 */
const tag = (value) => Object.prototype.toString.call(value);

const isArray = (value) => Array.isArray(value);
const isObject = (value) => tag(value) === '[object Object]';
const isString = (value) => tag(value) === '[object String]';
const isFunction = (value) => {
  const t = tag(value);
  return (
    t === '[object Function]' ||
    t === '[object AsyncFunction]' ||
    t === '[object GeneratorFunction]' ||
    t === '[object AsyncGeneratorFunction]' ||
    t === '[object Proxy]'
  );
};
const flatten = (arr) => Array.prototype.concat.apply([], arr);

/** min-dash groupBy(collection, extractor): { [key]: items[] }, keys from a property name or a function. */
function groupBy(collection, extractor, grouped = {}) {
  const fn = typeof extractor === 'function' ? extractor : (e) => e[extractor];
  for (const value of Object.values(collection || {})) {
    const key = fn(value) || '_';
    (grouped[key] = grouped[key] || []).push(value);
  }
  return grouped;
}

module.exports = { isArray, isObject, isString, isFunction, flatten, groupBy };
