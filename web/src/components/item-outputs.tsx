/**
 * An item's results recorded on approval (bundle.json `outputs`: the credit code, the birth
 * certificate's number): asked for when a department approves, shown with the item's result to the
 * applicant and at delivery, and to the departments of the items after it that need them.
 */
import type { DepartmentTask } from '../api.js';
import { useApp } from '../context.js';
import { fieldMessage, type FieldProblem } from '../lib/problems.js';
import { FieldError } from './common.js';

type Text = { zh: string; en: string };
type Output = { key: string; label: Text; value: string };
type Declared = NonNullable<DepartmentTask['outputs']>[number];

/** “统一社会信用代码：9144…” for each output, joined: the result line of an item. */
export function outputsText(outputs: readonly Output[] | undefined, tx: (text: Text) => string): string {
  return (outputs ?? []).map((o) => `${tx(o.label)}：${o.value}`).join('；');
}

/** The item's result: its number and its outputs, or the reason it was not approved. */
export function resultText(
  item: { resultNumber?: string; outputs?: Output[]; reason?: string },
  tx: (text: Text) => string,
): string {
  return [item.resultNumber, outputsText(item.outputs, tx), item.reason].filter(Boolean).join(' · ');
}

/** The values a department must give when approving (one input each, its errors under it). */
export function OutputInputs({
  declared,
  values,
  problems,
  onChange,
}: {
  declared: readonly Declared[];
  values: Record<string, string>;
  problems: readonly FieldProblem[];
  onChange(key: string, value: string): void;
}) {
  const { tx, lang } = useApp();
  return (
    <>
      {declared.map((o) => {
        const message = fieldMessage(problems, `outputs.${o.key}`, lang);
        return (
          <label key={o.key} data-output={o.key}>
            {tx(o.label)} <span className="required-mark">*</span>
            <input
              name={`output-${o.key}`}
              value={values[o.key] ?? ''}
              maxLength={o.maxLength ?? 100}
              placeholder={o.hint ? tx(o.hint) : undefined}
              aria-invalid={!!message}
              onChange={(e) => onChange(o.key, e.target.value)}
            />
            <FieldError message={message} />
          </label>
        );
      })}
    </>
  );
}

/** What approving still lacks: each declared output left empty, named by its label. */
export function missingOutputs(
  declared: readonly Declared[],
  values: Record<string, string>,
): FieldProblem[] {
  return declared
    .filter((o) => !values[o.key]?.trim())
    .map((o) => ({
      field: `outputs.${o.key}`,
      message: { zh: `请填写${o.label.zh}`, en: `enter the ${o.label.en.toLowerCase()}` },
    }));
}

/** The earlier items' results this item needs, each under the item that produced it. */
export function UpstreamResults({ results }: { results: NonNullable<DepartmentTask['upstreamResults']> }) {
  const { tx } = useApp();
  return (
    <table className="kv" data-testid="upstream-results">
      <tbody>
        {results.flatMap((r) =>
          r.outputs.map((o) => (
            <tr key={`${r.item}.${o.key}`} data-item={r.item} data-output={o.key}>
              <th scope="row">
                {tx(r.itemName)} · {tx(o.label)}
              </th>
              <td>{o.value}</td>
            </tr>
          )),
        )}
      </tbody>
    </table>
  );
}
