/**
 * The bundle's age rule for applicants (bundle.applicantAge), in the bundle editor's general part:
 * a minimum age and/or below the statutory retirement age, read from the ID number at
 * application, and the rule in the words the public guide (办事指南) gives it.
 */
import type { BundleDefinition } from '../../../forms/src/bundle/types.js';
import { workingAgeRuleText, type WorkingAgeRule } from '../../../forms/src/validate/working-age.js';
import { errorAt, type BundleProblem } from '../bundle/checks.js';
import * as edit from '../bundle/edit.js';
import type { Lang } from '../modeler/context.js';
import { Check, Text } from './controls.js';
import { t } from './i18n.js';

/** Working age (劳动年龄): what ticking the box starts from. */
const WORKING_AGE: WorkingAgeRule = { min: 16, belowRetirement: true };

export function ApplicantAge({
  bundle,
  lang,
  checks,
  onChange,
}: {
  bundle: BundleDefinition;
  lang: Lang;
  checks: BundleProblem[];
  onChange: (b: BundleDefinition) => void;
}) {
  const rule = bundle.applicantAge;
  const set = (next: WorkingAgeRule | undefined) => onChange(edit.setApplicantAge(bundle, next));
  const error = (part: string) => errorAt(checks, `bundle.applicantAge.${part}`, lang);
  return (
    <fieldset className="wide" data-testid="applicant-age">
      <legend>{t(lang, 'applicantAge')}</legend>
      <Check
        label={t(lang, 'limitAge')}
        value={!!rule}
        onChange={(on) => set(on ? WORKING_AGE : undefined)}
        name="limit-age"
      />
      {rule && (
        <>
          <Text
            label={t(lang, 'minAge')}
            type="number"
            min={0}
            max={120}
            step={1}
            value={rule.min}
            onChange={(v) => set({ ...rule, min: v === '' ? undefined : Number(v) })}
            error={error('min')}
            name="min-age"
          />
          <Check
            label={t(lang, 'belowRetirement')}
            value={rule.belowRetirement}
            // The women's retirement age means something only below the retirement age.
            onChange={(on) =>
              set({
                ...rule,
                belowRetirement: on || undefined,
                ...(on ? {} : { femaleRetirementAge: undefined }),
              })
            }
            name="below-retirement"
          />
          {rule.belowRetirement && (
            <label className={`field ${error('femaleRetirementAge') ? 'has-error' : ''}`}>
              <span>{t(lang, 'femaleRetirementAge')}</span>
              <select
                name="female-retirement-age"
                value={rule.femaleRetirementAge ?? 55}
                onChange={(e) => set({ ...rule, femaleRetirementAge: Number(e.target.value) as 50 | 55 })}
              >
                <option value={55}>{t(lang, 'female55')}</option>
                <option value={50}>{t(lang, 'female50')}</option>
              </select>
            </label>
          )}
          <p className="muted wide" data-testid="age-rule">
            {rule.min !== undefined || rule.belowRetirement
              ? workingAgeRuleText(rule)[lang]
              : t(lang, 'noAgeRule')}
          </p>
        </>
      )}
    </fieldset>
  );
}
