/**
 * Our JSON Forms renderers beside the vanilla set, used by the clerk's window (web/ imports this
 * file by a relative path and Vite bundles it): a checkbox group for multiple-choice code lists
 * (`array` of `enum`, uniqueItems) such as invoice types; yes/no radio buttons instead of a lone
 * checkbox for booleans, so that "no" is an answer the clerk gives rather than a box left alone;
 * and a group for object fields (财务负责人, 办税人…), which the vanilla set does not render at all.
 */
import { useMemo } from 'react';
import {
  and,
  findUISchema,
  Generate,
  isBooleanControl,
  isObjectArrayControl,
  isObjectControl,
  type StatePropsOfControlWithDetail,
  rankWith,
  schemaMatches,
  uiTypeIs,
  type ControlProps,
  type JsonFormsRendererRegistryEntry,
  type JsonSchema,
  type JsonSchema7,
} from '@jsonforms/core';
import {
  JsonFormsDispatch,
  useJsonForms,
  withJsonFormsControlProps,
  withJsonFormsDetailProps,
} from '@jsonforms/react';
import { TableArrayControl, vanillaCells, vanillaRenderers } from '@jsonforms/vanilla-renderers';

function useT() {
  const ctx = useJsonForms();
  return (key: string, fallback: string) => ctx.i18n?.translate?.(key, fallback) ?? fallback;
}

function i18nPrefix(props: ControlProps): string {
  const ui = props.uischema as { i18n?: string };
  return ui.i18n ?? props.path.replace(/\.\d+(?=\.|$)/g, '');
}

function Shell({ props, children }: { props: ControlProps; children: React.ReactNode }) {
  const errorId = `${props.id}-error`;
  if (!props.visible) return null;
  return (
    <fieldset
      className={`control gov-control${props.errors ? ' has-error' : ''}`}
      id={props.id}
      aria-describedby={props.errors ? errorId : undefined}
    >
      <legend>
        {props.label}
        {props.required ? <span className="required-mark"> *</span> : null}
      </legend>
      {children}
      {props.description && <div className="input-description">{props.description}</div>}
      {props.errors && (
        <div className="validation validation_error" id={errorId}>
          {props.errors}
        </div>
      )}
    </fieldset>
  );
}

function MultiEnumControl(props: ControlProps) {
  const t = useT();
  const items = (props.schema.items ?? {}) as JsonSchema7;
  const values = (items.enum ?? []) as string[];
  const selected = Array.isArray(props.data) ? (props.data as string[]) : [];
  const prefix = i18nPrefix(props);
  return (
    <Shell props={props}>
      <div className="choice-row">
        {values.map((value) => (
          <label key={value} className="choice">
            <input
              type="checkbox"
              checked={selected.includes(value)}
              disabled={!props.enabled}
              onChange={(e) => {
                const next = e.target.checked ? [...selected, value] : selected.filter((x) => x !== value);
                props.handleChange(
                  props.path,
                  next.length ? values.filter((x) => next.includes(x)) : undefined,
                );
              }}
            />
            {t(`${prefix}.${value}`, value)}
          </label>
        ))}
      </div>
    </Shell>
  );
}

function YesNoControl(props: ControlProps) {
  const t = useT();
  const name = `${props.id}-yesno`;
  return (
    <Shell props={props}>
      <div className="choice-row" role="radiogroup">
        {[true, false].map((value) => (
          <label key={String(value)} className="choice">
            <input
              type="radio"
              name={name}
              checked={props.data === value}
              disabled={!props.enabled}
              onChange={() => props.handleChange(props.path, value)}
            />
            {value ? t('common.yes', '是') : t('common.no', '否')}
          </label>
        ))}
      </div>
    </Shell>
  );
}

/**
 * The part of an object's schema its layout is drawn from: its properties. The rules beside them
 * (a person's document type deciding the number's rule: allOf of if/then) are for validation;
 * JSON Forms' generator draws a combinator as one control for the whole object again, which this
 * renderer then draws again, without end.
 */
function layoutOf(schema: JsonSchema): JsonSchema {
  const {
    allOf: _allOf,
    anyOf: _anyOf,
    oneOf: _oneOf,
    if: _if,
    then: _then,
    else: _else,
    ...layout
  } = schema as JsonSchema & { if?: unknown; then?: unknown; else?: unknown };
  return layout;
}

function ObjectControl(props: StatePropsOfControlWithDetail) {
  const {
    renderers,
    cells,
    uischemas,
    schema,
    label,
    path,
    visible,
    enabled,
    uischema,
    rootSchema,
    required,
  } = props;
  const detail = useMemo(
    () =>
      findUISchema(
        uischemas ?? [],
        schema,
        uischema.scope,
        path,
        () => Generate.uiSchema(layoutOf(schema), 'VerticalLayout', undefined, rootSchema),
        uischema,
        rootSchema,
      ),
    [uischemas, schema, uischema, path, rootSchema],
  );
  if (!visible) return null;
  return (
    <fieldset className="control gov-object" data-path={path}>
      <legend>
        {label}
        {required ? <span className="required-mark"> *</span> : null}
      </legend>
      <JsonFormsDispatch
        visible={visible}
        enabled={enabled}
        schema={schema}
        uischema={detail}
        path={path}
        renderers={renderers}
        cells={cells}
      />
    </fieldset>
  );
}

export const objectTester = rankWith(2, isObjectControl);

export const multiEnumTester = rankWith(
  5,
  and(
    uiTypeIs('Control'),
    schemaMatches(
      (s) =>
        s.type === 'array' &&
        !!s.items &&
        !Array.isArray(s.items) &&
        Array.isArray((s.items as JsonSchema7).enum),
    ),
  ),
);
export const yesNoTester = rankWith(5, isBooleanControl);

/**
 * A list of flat records (investors, officers) is a table, one row each, as the vanilla set draws
 * it. Its items carry rules beside their properties (a document type deciding the number's rule:
 * allOf of if/then), which the vanilla set takes for nesting and draws as a list of fieldsets.
 */
export const flatRecordsTester = rankWith(
  5,
  and(
    isObjectArrayControl,
    schemaMatches((s) => {
      const items = s.items as JsonSchema7 | undefined;
      return Object.values(items?.properties ?? {}).every((p) => {
        const type = (p as JsonSchema7).type;
        return type !== 'object' && type !== 'array';
      });
    }),
  ),
);

export const renderers: JsonFormsRendererRegistryEntry[] = [
  ...vanillaRenderers,
  { tester: multiEnumTester, renderer: withJsonFormsControlProps(MultiEnumControl) },
  { tester: yesNoTester, renderer: withJsonFormsControlProps(YesNoControl) },
  { tester: flatRecordsTester, renderer: TableArrayControl },
  { tester: objectTester, renderer: withJsonFormsDetailProps(ObjectControl) },
];

export const cells = vanillaCells;
