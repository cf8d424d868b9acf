import type { BundleDefinition } from '../../../forms/src/bundle/types.js';

export type Lang = 'zh' | 'en';

/**
 * What the gov properties provider needs from the app: the bundle being edited (its departments
 * and items fill the pickers) and the interface language. Registered in the modeler as the
 * `govContext` service; the app mutates it and fires `propertiesPanel.providersChanged`.
 */
export class GovContext {
  bundle: BundleDefinition | null = null;
  lang: Lang = 'zh';
  text(t: { zh: string; en: string } | undefined, fallback = ''): string {
    return t ? t[this.lang] || t.zh : fallback;
  }
}
