import type { FieldDefinition, FieldLibrary } from '../library/index.js';
import type { UnifiedData, UnifiedForm } from '../merge/index.js';

/**
 * The one normalisation of unified data (EXAMPLE-BUNDLES.md §0: lower-case `x` normalised to `X`):
 * the resident-ID rule accepts `…002x`, but departments (Public Security, the e-licence) must
 * receive the number as the card prints it. Call it where data is cleaned before it is stored,
 * validated or projected.
 */

/** An 18-character resident ID (or residence permit) number typed with a lower-case check character. */
const lowerX = /^\d{17}x$/;

/** A field holding a person's ID number: one of resident-ID format or typed by a document-type field. */
const holdsIdNumber = (f: FieldDefinition | undefined) =>
  f !== undefined && (f.format === 'resident-id' || f.idTypeField !== undefined);

/** Nested property names are library ids too (financeOfficer.idNumber, investors[0].idNumber). */
function normalise(library: FieldLibrary, key: string, value: unknown): unknown {
  if (typeof value === 'string')
    return lowerX.test(value) && holdsIdNumber(library.find(key)) ? value.toUpperCase() : value;
  if (Array.isArray(value)) return value.map((v) => normalise(library, key, v));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(library, k, v)]));
  return value;
}

/** A copy of `data` with every ID number's check character in upper case; situation answers as they are. */
export function normaliseIdNumbers(form: Pick<UnifiedForm, 'library'>, data: UnifiedData): UnifiedData {
  return Object.fromEntries(
    Object.entries(data).map(([k, v]) => [k, k === 'situation' ? v : normalise(form.library, k, v)]),
  ) as UnifiedData;
}
