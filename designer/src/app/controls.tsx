/** The bundle editor's small inputs: a labelled text or number, a checkbox, a picker that adds, remove. */
import type { Lang } from '../modeler/context.js';
import { t } from './i18n.js';

/** A labelled input; `error` marks it and says what is wrong below it. */
export function Text({
  label,
  value,
  onChange,
  error,
  ...rest
}: {
  label: string;
  value: string | number | undefined;
  onChange: (v: string) => void;
  error?: string;
} & Omit<React.InputHTMLAttributes<HTMLInputElement>, 'onChange' | 'value'>) {
  return (
    <label className={`field ${error ? 'has-error' : ''}`}>
      <span>{label}</span>
      <input value={value ?? ''} onChange={(e) => onChange(e.target.value)} {...rest} />
      {error && <small className="error">{error}</small>}
    </label>
  );
}

export function Check({
  label,
  value,
  onChange,
  ...rest
}: {
  label: string;
  value: boolean | undefined;
  onChange: (v: boolean) => void;
} & Omit<React.InputHTMLAttributes<HTMLInputElement>, 'onChange' | 'value' | 'type' | 'checked'>) {
  return (
    <label className="check">
      <input type="checkbox" checked={!!value} onChange={(e) => onChange(e.target.checked)} {...rest} />{' '}
      {label}
    </label>
  );
}

/** A select whose first line is the prompt; picking adds. With nothing to pick, it says `empty` and is off. */
export function AddPicker({
  label,
  options,
  onPick,
  empty,
  ...rest
}: {
  label: string;
  options: [string, string][];
  onPick: (value: string) => void;
  empty?: string;
} & Omit<React.SelectHTMLAttributes<HTMLSelectElement>, 'onChange' | 'value'>) {
  const none = empty !== undefined && options.length === 0;
  return (
    <select
      aria-label={label}
      value=""
      disabled={none}
      onChange={(e) => e.target.value && onPick(e.target.value)}
      {...rest}
    >
      <option value="">{none ? empty : label}</option>
      {options.map(([value, text]) => (
        <option key={value} value={value}>
          {text}
        </option>
      ))}
    </select>
  );
}

export function Remove({ lang, onClick }: { lang: Lang; onClick: () => void }) {
  return (
    <button className="link" onClick={onClick}>
      {t(lang, 'remove')}
    </button>
  );
}
