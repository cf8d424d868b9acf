import { loadBundle } from '../../../forms/src/bundle/index.js';
import { mergeBundle } from '../../../forms/src/merge/index.js';
import { validate } from '../../../engine/src/model/index.js';
import { crossCheck } from '../../../engine/src/bundles/registry.js';
import { parseAndCompile } from '../../../engine/src/model/index.js';
import { Linter } from 'bpmnlint';
import { bundleLintOptions, linterConfig } from '../lint/config.js';
import { parse } from '../lint/testing.js';
import { deleteDraft, listDrafts, readDraft, saveDraft } from './drafts.js';
import * as edit from './edit.js';
import { templateBundle, templateXml } from './template.js';

describe('the new-bundle template', () => {
  it('is a valid bundle whose process the engine accepts and the server cross-check passes', async () => {
    const bundle = loadBundle(templateBundle());
    expect(await validate(templateXml())).toEqual([]);
    const { plans } = await parseAndCompile(templateXml());
    expect(crossCheck(bundle, plans)).toEqual([]);
  });
  it('passes the designer checker', async () => {
    const { config, resolver } = linterConfig(bundleLintOptions(templateBundle(), 'en'));
    const results = await new Linter({ config, resolver }).lint(await parse(templateXml()));
    const errors = Object.entries(results).flatMap(([rule, rs]) =>
      rs.filter((r) => r.category === 'error').map((r) => `${rule} ${r.id}`),
    );
    expect(errors).toEqual([]);
  });
  it('merges: the invoice item and its fields only when invoices are needed', () => {
    const without = mergeBundle(templateBundle(), { needsInvoice: false });
    expect(without.items.map((i) => i.code)).toEqual(['registration']);
    const withInvoice = mergeBundle(templateBundle(), { needsInvoice: true });
    expect(withInvoice.items.map((i) => i.code)).toEqual(['registration', 'invoice']);
    expect(withInvoice.materials.find((m) => m.id === 'identityProof')?.items).toEqual([
      'registration',
      'invoice',
    ]);
  });
});

describe('bundle edits', () => {
  it('adds items with fresh codes and removes them with their after references', () => {
    let b = edit.addItem(edit.addItem(templateBundle()));
    expect(b.items.map((i) => i.code)).toEqual(['registration', 'invoice', 'new-item', 'new-item-2']);
    b = edit.removeItem(b, 'registration');
    expect(b.items.find((i) => i.code === 'invoice')!.after).toBeUndefined();
  });
  it('renames a department in the items and the lead department', () => {
    const b = edit.updateDepartment(templateBundle(), 'market-regulation', { code: 'amr' });
    expect(b.leadDepartment).toBe('amr');
    expect(b.items[0]!.department).toBe('amr');
  });
  it('renames and removes materials in every item', () => {
    let b = edit.updateMaterial(templateBundle(), 'identityProof', { id: 'idCard' });
    expect(b.items[1]!.materials[0]!.material).toBe('idCard');
    b = edit.removeMaterial(b, 'idCard');
    expect(b.items.flatMap((i) => i.materials.map((m) => m.material))).not.toContain('idCard');
  });
  it('gives choice questions options and takes them from other types', () => {
    let b = edit.addQuestion(templateBundle());
    b = edit.updateQuestion(b, 'newQuestion', { type: 'choice' });
    expect(b.questions[1]!.options).toHaveLength(2);
    b = edit.updateQuestion(b, 'newQuestion', { type: 'number' });
    expect(b.questions[1]!.options).toBeUndefined();
  });
  it('adds a library field and a material to an item once', () => {
    let b = edit.addItemField(templateBundle(), 'invoice', 'address');
    b = edit.addItemField(b, 'invoice', 'address');
    expect(b.items[1]!.fields.filter((f) => f.field === 'address')).toHaveLength(1);
    b = edit.addItemMaterial(b, 'invoice', 'leaseContract', false);
    expect(b.items[1]!.materials.at(-1)).toEqual({ material: 'leaseContract', required: false });
    expect(mergeBundle(b, { needsInvoice: true }).fields.find((f) => f.id === 'address')?.items).toEqual([
      'registration',
      'invoice',
    ]);
  });
  it('answers every question for a first preview', () => {
    expect(edit.defaultAnswers(templateBundle())).toEqual({ needsInvoice: false });
  });
});

describe('drafts', () => {
  it('saves, lists, reads and deletes drafts by bundle code', () => {
    const data = new Map<string, string>();
    const store = {
      getItem: (k: string) => data.get(k) ?? null,
      setItem: (k: string, v: string) => void data.set(k, v),
      removeItem: (k: string) => void data.delete(k),
      key: (i: number) => [...data.keys()][i] ?? null,
      get length() {
        return data.size;
      },
    };
    saveDraft(store, { bundle: templateBundle('a'), xml: templateXml('a') }, 1);
    saveDraft(store, { bundle: templateBundle('b'), xml: templateXml('b') }, 2);
    data.set('unrelated', 'x');
    expect(listDrafts(store).map((d) => d.code)).toEqual(['b', 'a']);
    expect(readDraft(store, 'a')?.xml).toContain('gov:bundle="a"');
    deleteDraft(store, 'a');
    expect(readDraft(store, 'a')).toBeNull();
  });
});
