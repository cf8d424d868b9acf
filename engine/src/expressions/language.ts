/**
 * Telling FEEL from other expression languages in a model. Shared by the engine's compiler and the
 * designer's lint (which imports it from here), so both refuse and hint on the same expressions.
 */

/**
 * The names FEEL goes by in a FormalExpression's `language` (none given means FEEL here): `feel`
 * and the OMG's URI, http://www.omg.org/spec/FEEL/20140401 or a later dated one.
 */
const FEEL_LANGUAGE = /^(?:feel|https?:\/\/www\.omg\.org\/spec\/feel\/\d{8}\/?)$/i;

/** The language a FormalExpression names, trimmed, when it is not FEEL; null for FEEL. */
export function otherLanguage(language: string | undefined): string | null {
  const named = language?.trim() ?? '';
  return !named || FEEL_LANGUAGE.test(named) ? null : named;
}

/** JUEL's `${…}` / `#{…}` (Camunda 7, bpmn-engine), named in the problem when FEEL fails on it. */
const JUEL = /[$#]\{([^{}]*)\}/;

/** The first JUEL-style `${x}` / `#{x}` in a source and the FEEL to write instead (`x`), if any. */
export function juelHint(source: string): { juel: string; feel: string } | null {
  const match = JUEL.exec(source);
  return match ? { juel: match[0], feel: match[1]!.trim() } : null;
}
