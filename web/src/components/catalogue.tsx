/** Bundle and department names for the lists (every bundle's definition, loaded once per session). */
import { useEffect, useState } from 'react';
import type { Api, BundleDetail, BundleSummary } from '../api.js';
import { useApp } from '../context.js';

export interface Catalogue {
  bundles: BundleSummary[];
  details: Record<string, BundleDetail>;
  departments: Record<string, { zh: string; en: string }>;
}

let cached: { token: string; promise: Promise<Catalogue> } | null = null;

export function loadCatalogue(api: Api): Promise<Catalogue> {
  const token = api.session?.token ?? '';
  if (cached && cached.token === token) return cached.promise;
  const promise = (async () => {
    const bundles = await api.bundles();
    const details: Record<string, BundleDetail> = {};
    await Promise.all(bundles.map(async (b) => (details[b.code] = await api.bundle(b.code))));
    const departments: Catalogue['departments'] = {};
    for (const d of Object.values(details))
      for (const dep of d.definition.departments ?? []) departments[dep.code] = dep.name;
    return { bundles, details, departments };
  })();
  cached = { token, promise };
  promise.catch(() => (cached = null));
  return promise;
}

export function useCatalogue(): {
  catalogue: Catalogue | undefined;
  bundleName(code: string): string;
  departmentName(code: string): string;
} {
  const { api, tx, t } = useApp();
  const [catalogue, setCatalogue] = useState<Catalogue>();
  useEffect(() => {
    let live = true;
    loadCatalogue(api).then(
      (c) => live && setCatalogue(c),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api]);
  return {
    catalogue,
    bundleName: (code) => {
      const b = catalogue?.bundles.find((x) => x.code === code);
      return b ? tx(b.name) : code;
    },
    departmentName: (code) =>
      code === 'window'
        ? t('dept.window')
        : catalogue?.departments[code]
          ? tx(catalogue.departments[code])
          : code,
  };
}
