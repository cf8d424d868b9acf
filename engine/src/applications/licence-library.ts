/**
 * The e-licence library (电子证照库) of the centre: licences issued on approval are signed and
 * kept here; at acceptance a material slot accepts a licence only after its signature, validity,
 * status, holder and type check out (GOV-SERVICES 2.13).
 */
import { KeyObject } from 'node:crypto';
import {
  ANY,
  issueLicence,
  verifyLicence,
  type IssuerKey,
  type LicenceInput,
  type SignedLicence,
  type TrustedKey,
  type TrustedKeys,
} from '../licences/index.js';
import { canonicalJson } from '../audit/canonical.js';
import { DocConflictError, type Doc, type DocStore } from '../domain/docs.js';
import { DomainError, type Text } from '../domain/errors.js';
import type { BundleDefinition } from '../../../forms/src/bundle/index.js';
import { fieldLibrary } from '../../../forms/src/library/index.js';
import { compileForm } from '../../../forms/src/merge/index.js';
import { maskSensitiveValue } from '../../../forms/src/project/index.js';
import type { ItemCase } from './types.js';

export const LICENCES = 'licences';

export interface LicenceDoc extends Doc {
  signed: SignedLicence;
  status: 'valid' | 'cancelled' | 'revoked';
  holderId: string;
  typeCode: string;
  applicationId: string;
  item: string;
  /** Keys of the licence's data that are sensitive (a birth certificate number): sealed at rest. */
  sealedKeys?: string[];
}

export interface LicenceKeys {
  issuer: IssuerKey;
  /**
   * Trusted keys by keyId, each with the issuers and licence types it may sign. A bare public key
   * is trusted only as the centre's own (`issuer`, which signs every department's licences here);
   * any other bare key signs nothing, since what it may sign for was never said.
   */
  trusted: ReadonlyMap<string, TrustedKey | KeyObject>;
}

/** The trusted keys with their scopes: a bare key is the centre's own (any issuer, any type) or none. */
function scopedKeys(keys: LicenceKeys): TrustedKeys {
  const scoped = new Map<string, TrustedKey>();
  for (const [keyId, trusted] of keys.trusted) {
    if (!(trusted instanceof KeyObject)) scoped.set(keyId, trusted);
    else if (keyId === keys.issuer.keyId)
      scoped.set(keyId, { publicKey: trusted, issuers: [ANY], typeCodes: [ANY] });
    else scoped.set(keyId, { publicKey: trusted, issuers: [], typeCodes: [] });
  }
  return scoped;
}

/**
 * The keys of an e-licence's data the store must seal (encryption.ts `listed`): form fields the
 * bundle's unified form marks sensitive, and the item's results declared sensitive.
 */
export function sealedLicenceKeys(
  definition: BundleDefinition,
  data: Record<string, unknown>,
  item: Pick<ItemCase, 'outputs'>,
): { sealedKeys?: string[] } {
  const form = compileForm(definition);
  const keys = Object.keys(data).filter((k) => form.fieldById.get(k)?.definition.sensitivity === 'sensitive');
  for (const o of item.outputs ?? []) if (o.sensitive) keys.push(o.key);
  return keys.length ? { sealedKeys: [...new Set(keys)] } : {};
}

/**
 * The unified social credit code an approval of `item` gave (an output of format credit-code): an
 * organisation's licence is held under it, so later bundles find the licence by the company's code.
 */
export function creditCodeOutput(definition: BundleDefinition, item: ItemCase): string | undefined {
  const declared = definition.items.find((i) => i.code === item.item)?.outputs ?? [];
  const key = declared.find((o) => o.format === 'credit-code')?.key;
  return key === undefined ? undefined : item.outputs?.find((o) => o.key === key)?.value;
}

/** A value with no format to mask it by: shown as its length in stars. */
const UNDESCRIBED = { schema: { type: 'string' as const }, definition: {} };

/**
 * A licence as a reader other than its holder sees it (the window's picker, a supervisor's search):
 * the sensitive facts on it (a child's name and birth time on a birth certificate) masked as the
 * case views mask them, by the field library's sensitivity, and the other keys the licence lists
 * as sealed (an item result the bundle declares sensitive, not a library field) starred whole. The
 * signature stays that of the library's copy; verifyFor takes this copy, offered back for a
 * material, as the library's own.
 */
export function maskedLicence(doc: LicenceDoc): LicenceDoc {
  const sealed = new Set(doc.sealedKeys);
  const data: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc.signed.licence.data)) {
    const field = fieldLibrary.find(key);
    data[key] =
      field?.sensitivity === 'sensitive'
        ? maskSensitiveValue(value, { schema: field.schema, definition: field })
        : sealed.has(key)
          ? maskSensitiveValue(value, UNDESCRIBED)
          : value;
  }
  return { ...doc, signed: { ...doc.signed, licence: { ...doc.signed.licence, data } } };
}

/** CST calendar date of an instant, as licences carry dates (yyyy-MM-dd). */
export const cstDate = (instant: number) => new Date(instant + 8 * 3600_000).toISOString().slice(0, 10);

export class LicenceLibrary {
  private readonly trusted: TrustedKeys;

  constructor(
    private readonly docs: DocStore,
    private readonly keys: LicenceKeys,
  ) {
    this.trusted = scopedKeys(keys);
  }

  async issue(
    input: LicenceInput,
    at: number,
    source: { applicationId: string; item: string; sealedKeys?: string[] },
  ): Promise<LicenceDoc> {
    const signed = issueLicence(input, this.keys.issuer, new Date(at).toISOString());
    const doc: LicenceDoc = {
      id: signed.licence.licenceId,
      rev: 0,
      signed,
      status: 'valid',
      holderId: input.holderId,
      typeCode: input.typeCode,
      ...source,
    };
    try {
      return await this.docs.put(LICENCES, doc, 0);
    } catch (err) {
      if (!(err instanceof DocConflictError)) throw err;
      // The same approval again (a retry after a crash, a lost save race): its licence stands.
      const issued = await this.get(doc.id);
      if (issued?.applicationId === source.applicationId && issued.item === source.item) {
        // An attempt that failed cancelled it (Centre.approve): the approval now recorded revives it.
        if (issued.status !== 'cancelled') return issued;
        await this.setStatus(issued.id, 'valid');
        return (await this.get(issued.id))!;
      }
      throw new DomainError(
        'conflict',
        { zh: `证照编号 ${input.number} 已签发过`, en: `licence number ${input.number} was already issued` },
        [{ field: 'resultNumber', message: { zh: '编号重复', en: 'duplicate number' } }],
      );
    }
  }

  async get(licenceId: string): Promise<LicenceDoc | undefined> {
    return this.docs.get<LicenceDoc>(LICENCES, licenceId);
  }

  async ofHolder(holderId: string): Promise<LicenceDoc[]> {
    return this.docs.find<LicenceDoc>(LICENCES, { where: { holderId } });
  }

  async setStatus(licenceId: string, status: LicenceDoc['status']): Promise<void> {
    const doc = await this.get(licenceId);
    if (doc && doc.status !== status) await this.docs.put(LICENCES, { ...doc, status }, doc.rev);
  }

  /**
   * Checks a licence offered for a material. `presented` is the licence as the applicant's wallet
   * holds it: when given, it must be the library's licence itself (the same content), and it is
   * what gets verified — a tampered copy fails; otherwise the library copy. Type, holder, dates
   * and status are the library's either way: another genuine licence presented in its place (one
   * without an end date for one that has expired) is refused.
   */
  async verifyFor(
    licenceId: string,
    material: { id: string; eLicenceType?: string },
    holderIds: string[],
    now: number,
    presented?: SignedLicence,
  ): Promise<Text | null> {
    const doc = await this.get(licenceId);
    if (!doc) return { zh: `电子证照 ${licenceId} 不存在`, en: `e-licence ${licenceId} does not exist` };
    if (!material.eLicenceType) {
      // No e-licence type is declared for it (e.g. a certificate from outside the province's system).
      return { zh: '该材料不能以电子证照代替', en: 'this material cannot be replaced by an e-licence' };
    }
    if (doc.typeCode !== material.eLicenceType) {
      return {
        zh: `该材料需要 ${material.eLicenceType} 类电子证照`,
        en: `this material needs an e-licence of type ${material.eLicenceType}`,
      };
    }
    if (!holderIds.includes(doc.holderId))
      return { zh: '电子证照持证人不是申请人', en: 'the e-licence holder is not the applicant' };
    // The copy a search showed the window (masked for a reader not its holder) stands for the library's.
    const wallet = presented && !sameSigned(presented, maskedLicence(doc).signed) ? presented : undefined;
    if (wallet && canonicalJson(wallet.licence ?? null) !== canonicalJson(doc.signed.licence)) {
      return {
        zh: '出示的电子证照与证照库中的该证照不一致',
        en: 'the e-licence presented is not the one the library holds under this id',
      };
    }
    const result = verifyLicence(wallet ?? doc.signed, this.trusted, cstDate(now), doc.status);
    return result.ok ? null : result.message;
  }
}

const sameSigned = (a: SignedLicence, b: SignedLicence) => canonicalJson(a) === canonicalJson(b);

export function licenceError(materialId: string, message: Text): DomainError {
  return new DomainError('invalid', { zh: '电子证照核验未通过', en: 'the e-licence did not verify' }, [
    { field: `materials.${materialId}.licenceId`, message },
  ]);
}
