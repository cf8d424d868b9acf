/**
 * Properties panel provider for the gov extension: on a user task its department (from the
 * bundle), service item (from the bundle, the department's first), form view, time limit in
 * working days, special step and candidate roles; on a process the bundle code; on a sequence flow
 * out of a gateway its condition as FEEL, checked as the checker does (gov/feel-conditions).
 *
 * Entries are preact components (the panel's renderer), written with `h` rather than JSX so the
 * app's React JSX settings do not apply to them.
 */
import {
  CheckboxEntry,
  FeelEntry,
  isCheckboxEntryEdited,
  isFeelEntryEdited,
  isNumberFieldEntryEdited,
  isSelectEntryEdited,
  isTextFieldEntryEdited,
  NumberFieldEntry,
  SelectEntry,
  TextFieldEntry,
} from '@bpmn-io/properties-panel';
import { h } from '@bpmn-io/properties-panel/preact';
import { useService } from 'bpmn-js-properties-panel';
import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil.js';
import { compile } from '../../../engine/src/expressions/feel.js';
import {
  CONNECTOR_METHODS,
  DEFAULT_CONNECTOR_TIMEOUT_SECONDS,
  MAX_CONNECTOR_TIMEOUT_SECONDS,
  urlProblem,
} from '../../../engine/src/model/connector-spec.js';
import { conditionProblem } from '../lint/rules/feel-conditions.js';
import { specialStepWithoutLimit } from '../lint/rules/time-limit.js';
import { WINDOW } from '../lint/types.js';
import type { GovContext } from './context.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Element = any;
type Translate = (text: string, replacements?: Record<string, string>) => string;
interface EntryProps {
  element: Element;
  id: string;
}

const LOW_PRIORITY = 400;

function useUpdate(element: Element) {
  const modeling = useService('modeling');
  return (properties: Record<string, unknown>) => modeling.updateProperties(element, properties);
}

/** Keeps a value that is not among the options visible, marked as unknown to the bundle. */
function withCurrent(options: { value: string; label: string }[], current: string, translate: Translate) {
  if (current && !options.some((o) => o.value === current)) {
    options.push({ value: current, label: `${current} — ${translate('not in the bundle')}` });
  }
  return options;
}

function DepartmentEntry({ element, id }: EntryProps) {
  const translate: Translate = useService('translate');
  const gov: GovContext = useService('govContext');
  const update = useUpdate(element);
  const current: string = getBusinessObject(element).get('gov:department') ?? '';
  return h(SelectEntry, {
    element,
    id,
    label: translate('Department'),
    getValue: () => current,
    setValue: (value: string) => {
      const bo = getBusinessObject(element);
      const item = bo.get('gov:item');
      const owner = gov.bundle?.items.find((i) => i.code === item);
      // An item belongs to one department: changing the department drops an item of another one.
      const keepItem = !item || value === WINDOW || !owner || owner.department === value;
      update({ 'gov:department': value || undefined, ...(keepItem ? {} : { 'gov:item': undefined }) });
    },
    getOptions: () => {
      const options = [
        { value: '', label: translate('<none>') },
        { value: WINDOW, label: `${translate('Comprehensive window')} (${WINDOW})` },
        ...(gov.bundle?.departments ?? []).map((d) => ({
          value: d.code,
          label: `${gov.text(d.name, d.code)} (${d.code})`,
        })),
      ];
      return withCurrent(options, current, translate);
    },
  });
}

function ItemEntry({ element, id }: EntryProps) {
  const translate: Translate = useService('translate');
  const gov: GovContext = useService('govContext');
  const update = useUpdate(element);
  const bo = getBusinessObject(element);
  const department: string | undefined = bo.get('gov:department');
  const current: string = bo.get('gov:item') ?? '';
  return h(SelectEntry, {
    element,
    id,
    label: translate('Service item'),
    description: department === WINDOW ? translate('Window tasks need no item') : undefined,
    getValue: () => current,
    setValue: (value: string) => {
      const owner = gov.bundle?.items.find((i) => i.code === value);
      const setDepartment =
        owner && (!department || department === WINDOW || department !== owner.department);
      update({
        'gov:item': value || undefined,
        ...(setDepartment ? { 'gov:department': owner.department } : {}),
      });
    },
    getOptions: () => {
      const items = gov.bundle?.items ?? [];
      const mine =
        department && department !== WINDOW ? items.filter((i) => i.department === department) : items;
      const options = [
        { value: '', label: translate('<none>') },
        ...mine.map((i) => ({ value: i.code, label: `${gov.text(i.name, i.code)} (${i.code})` })),
      ];
      return withCurrent(options, current, translate);
    },
  });
}

/** A text entry bound to one gov attribute of the element (empty removes it), optionally checked. */
function govTextEntry(
  attribute: string,
  label: string,
  description: string,
  problem?: (value: string) => string | null,
) {
  return function GovTextEntry({ element, id }: EntryProps) {
    const translate: Translate = useService('translate');
    const debounce = useService('debounceInput');
    const update = useUpdate(element);
    return h(TextFieldEntry, {
      element,
      id,
      label: translate(label),
      description: translate(description),
      debounce,
      getValue: () => getBusinessObject(element).get(attribute) ?? '',
      setValue: (value: string) => update({ [attribute]: value.trim() || undefined }),
      validate: (value: string) => {
        const error = problem?.(value);
        return error ? translate('Invalid: {error}', { error }) : null;
      },
    });
  };
}

const FormViewEntry = govTextEntry('gov:formView', 'Form view', 'e.g. review, delivery');
const CandidateRolesEntry = govTextEntry(
  'gov:candidateRoles',
  'Candidate roles',
  'Comma-separated, e.g. reviewer, approver',
);

/**
 * The task's time limit. On a special step it is the step's own limit and required (deploy refuses
 * a special step without one): said in the label and description, and empty is an error there,
 * in the checker's words.
 */
function TimeLimitEntry({ element, id }: EntryProps) {
  const translate: Translate = useService('translate');
  const debounce = useService('debounceInput');
  const gov: GovContext = useService('govContext');
  const update = useUpdate(element);
  const bo = getBusinessObject(element);
  const special = bo.get('gov:specialStep') === true;
  const promised = gov.bundle?.items.find((i) => i.code === bo.get('gov:item'))?.promisedDays;
  return h(NumberFieldEntry, {
    element,
    id,
    label: translate(
      special ? 'Time limit of this special step (working days, required)' : 'Time limit (working days)',
    ),
    description: special
      ? translate('Not counted toward the item’s promised days; the applicant is told it in writing')
      : promised !== undefined
        ? translate('Item promises {days} working days', { days: String(promised) })
        : undefined,
    min: 0,
    step: 1,
    debounce,
    getValue: () => bo.get('gov:timeLimit'),
    setValue: (value: unknown) => {
      const n = value === '' || value === undefined || value === null ? undefined : Number(value);
      update({ 'gov:timeLimit': n === undefined || Number.isNaN(n) ? undefined : Math.trunc(n) });
    },
    validate: (value: unknown) => {
      if (value === '' || value === undefined || value === null)
        return special ? specialStepWithoutLimit({ lang: gov.lang }) : null;
      const n = Number(value);
      return Number.isInteger(n) && n >= 0 ? null : translate('A whole number of working days');
    },
  });
}

function SpecialStepEntry({ element, id }: EntryProps) {
  const translate: Translate = useService('translate');
  const update = useUpdate(element);
  return h(CheckboxEntry, {
    element,
    id,
    label: translate('Special step (pauses the item’s time limit)'),
    getValue: () => getBusinessObject(element).get('gov:specialStep') === true,
    setValue: (value: boolean) => update({ 'gov:specialStep': value || undefined }),
  });
}

function BundleCodeEntry({ element, id }: EntryProps) {
  const translate: Translate = useService('translate');
  const debounce = useService('debounceInput');
  const modeling = useService('modeling');
  const processBo = is(element, 'bpmn:Participant')
    ? getBusinessObject(element).processRef
    : getBusinessObject(element);
  return h(TextFieldEntry, {
    element,
    id,
    label: translate('Bundle code'),
    debounce,
    getValue: () => processBo?.get('gov:bundle') ?? '',
    setValue: (value: string) => {
      if (is(element, 'bpmn:Participant'))
        modeling.updateModdleProperties(element, processBo, { 'gov:bundle': value || undefined });
      else modeling.updateProperties(element, { 'gov:bundle': value || undefined });
    },
  });
}

function ConditionEntry({ element, id }: EntryProps) {
  const translate: Translate = useService('translate');
  const gov: GovContext = useService('govContext');
  const debounce = useService('debounceInput');
  const commandStack = useService('commandStack');
  const bpmnFactory = useService('bpmnFactory');
  const bo = getBusinessObject(element);
  return h(FeelEntry, {
    element,
    id,
    label: translate('Condition (FEEL)'),
    description: translate('Over process variables, e.g. list contains(items, "seal-filing")'),
    feel: 'required',
    debounce,
    getValue: () => bo.conditionExpression?.get('body'),
    setValue: (value: string | undefined) => {
      const commands: unknown[] = [];
      const source = element.source;
      const has = value !== undefined && value.trim() !== '' && value.trim() !== '=';
      // A flow with a condition is no longer the gateway's default flow.
      if (has && source && getBusinessObject(source).default === bo) {
        commands.push({
          cmd: 'element.updateProperties',
          context: { element: source, properties: { default: undefined } },
        });
      }
      let expression;
      if (has) {
        expression = bpmnFactory.create('bpmn:FormalExpression', { body: value });
        expression.$parent = bo;
      }
      commands.push({
        cmd: 'element.updateProperties',
        context: { element, properties: { conditionExpression: expression } },
      });
      commandStack.execute('properties-panel.multi-command-executor', commands);
    },
    // The checker's words (gov/feel-conditions): another language, or FEEL syntax with the JUEL hint.
    validate: (value: string | undefined) => conditionProblem(value, bo.conditionExpression, gov.lang),
    translate: withoutEditorFeelError(translate),
  });
}

/**
 * The panel's translate for a FEEL entry whose `validate` checks with the engine's parser: the
 * editor's own parser would show "Unparsable FEEL expression." instead of validate's message
 * (and in English); as an empty text it shows nothing, so the engine's words are the ones shown.
 */
function withoutEditorFeelError(translate: Translate): Translate {
  return (text, replacements) =>
    text === 'Unparsable FEEL expression.' ? '' : translate(text, replacements);
}

/** The FEEL syntax error of a connector expression (with or without the leading "="), or null. */
export function feelError(value: string | undefined): string | null {
  if (value === undefined || value.trim() === '' || value.trim() === '=') return null;
  return compile(value).syntaxError;
}

/** What is wrong with a gov:url as the engine will see it (a literal URL or "= FEEL"), or null. */
export function connectorUrlError(value: string | undefined): string | null {
  const text = value?.trim() ?? '';
  if (text === '') return null;
  return text.startsWith('=') ? feelError(text) : urlProblem(text);
}

const ConnectorUrlEntry = govTextEntry(
  'gov:url',
  'Department system URL',
  'http(s) URL or = FEEL; its origin must be allowed by the server',
  connectorUrlError,
);

function ConnectorMethodEntry({ element, id }: EntryProps) {
  const translate: Translate = useService('translate');
  const update = useUpdate(element);
  return h(SelectEntry, {
    element,
    id,
    label: translate('HTTP method'),
    getValue: () => getBusinessObject(element).get('gov:method') ?? 'POST',
    setValue: (value: string) => update({ 'gov:method': value === 'POST' ? undefined : value }),
    getOptions: () => CONNECTOR_METHODS.map((m) => ({ value: m, label: m })),
  });
}

/** A FEEL entry bound to one gov attribute of a connector task, checked with the engine's compiler. */
function connectorFeelEntry(attribute: string, label: string, description: string) {
  return function ConnectorFeelEntry({ element, id }: EntryProps) {
    const translate: Translate = useService('translate');
    const debounce = useService('debounceInput');
    const update = useUpdate(element);
    return h(FeelEntry, {
      element,
      id,
      label: translate(label),
      description: translate(description),
      feel: 'required',
      debounce,
      getValue: () => getBusinessObject(element).get(attribute),
      setValue: (value: string | undefined) =>
        update({ [attribute]: value && value.trim() !== '=' ? value : undefined }),
      validate: (value: string | undefined) => {
        const error = feelError(value);
        return error ? translate('FEEL syntax error: {error}', { error }) : null;
      },
      translate: withoutEditorFeelError(translate),
    });
  };
}

const ConnectorHeadersEntry = connectorFeelEntry(
  'gov:headers',
  'Request headers (FEEL)',
  'A context, e.g. {"X-Department": "tax"}',
);
const ConnectorBodyEntry = connectorFeelEntry(
  'gov:body',
  'Request body (FEEL)',
  'Sent as JSON, e.g. {id: applicant.idNumber}',
);
const ConnectorResultEntry = connectorFeelEntry(
  'gov:result',
  'Result mapping (FEEL)',
  'Over response and status, gives the variables to set, e.g. {taxCleared: response.cleared}',
);
const ConnectorErrorCodeEntry = govTextEntry(
  'gov:errorCode',
  'BPMN error on refusal',
  'Error code thrown on 400/404/422; empty: an incident',
);

/** A whole-number gov attribute within [min, max]; empty removes it (the engine's default applies). */
function govNumberEntry(attribute: string, label: string, min: number, max: number, fallback: number) {
  return function GovNumberEntry({ element, id }: EntryProps) {
    const translate: Translate = useService('translate');
    const debounce = useService('debounceInput');
    const update = useUpdate(element);
    return h(NumberFieldEntry, {
      element,
      id,
      label: translate(label),
      description: translate('Default {value}', { value: String(fallback) }),
      min,
      max,
      step: 1,
      debounce,
      getValue: () => getBusinessObject(element).get(attribute),
      setValue: (value: unknown) => {
        const n = value === '' || value === undefined || value === null ? NaN : Number(value);
        update({ [attribute]: Number.isNaN(n) ? undefined : Math.trunc(n) });
      },
      validate: (value: unknown) => {
        if (value === '' || value === undefined || value === null) return null;
        const n = Number(value);
        return Number.isInteger(n) && n >= min && n <= max
          ? null
          : translate('A whole number from {min} to {max}', { min: String(min), max: String(max) });
      },
    });
  };
}

const ConnectorTimeoutEntry = govNumberEntry(
  'gov:timeout',
  'Timeout (seconds)',
  1,
  MAX_CONNECTOR_TIMEOUT_SECONDS,
  DEFAULT_CONNECTOR_TIMEOUT_SECONDS,
);
const RetriesEntry = govNumberEntry('gov:retries', 'Attempts before an incident', 1, 100, 3);

const entry = (
  id: string,
  component: (props: EntryProps) => unknown,
  isEdited: unknown,
  element: Element,
) => ({
  id,
  component,
  isEdited,
  element,
});

export function govGroups(element: Element, translate: Translate) {
  const groups = [];
  if (is(element, 'bpmn:UserTask')) {
    groups.push({
      id: 'gov',
      label: translate('Government service'),
      entries: [
        entry('gov-department', DepartmentEntry, isSelectEntryEdited, element),
        entry('gov-item', ItemEntry, isSelectEntryEdited, element),
        entry('gov-formView', FormViewEntry, isTextFieldEntryEdited, element),
        // The special-step box first: ticked, it makes the time limit below required.
        entry('gov-specialStep', SpecialStepEntry, isCheckboxEntryEdited, element),
        entry('gov-timeLimit', TimeLimitEntry, isNumberFieldEntryEdited, element),
        entry('gov-candidateRoles', CandidateRolesEntry, isTextFieldEntryEdited, element),
      ],
    });
  }
  if (is(element, 'bpmn:ServiceTask')) {
    const connector = !!getBusinessObject(element).get('gov:url');
    groups.push({
      id: 'gov-connector',
      label: translate('Department system call'),
      entries: [
        entry('gov-url', ConnectorUrlEntry, isTextFieldEntryEdited, element),
        // The rest applies only once there is a URL (the engine refuses them without one).
        ...(connector
          ? [
              entry('gov-method', ConnectorMethodEntry, isSelectEntryEdited, element),
              entry('gov-headers', ConnectorHeadersEntry, isFeelEntryEdited, element),
              entry('gov-body', ConnectorBodyEntry, isFeelEntryEdited, element),
              entry('gov-result', ConnectorResultEntry, isFeelEntryEdited, element),
              entry('gov-timeout', ConnectorTimeoutEntry, isNumberFieldEntryEdited, element),
              entry('gov-retries', RetriesEntry, isNumberFieldEntryEdited, element),
              entry('gov-errorCode', ConnectorErrorCodeEntry, isTextFieldEntryEdited, element),
            ]
          : []),
      ],
    });
  }
  if (
    is(element, 'bpmn:Process') ||
    (is(element, 'bpmn:Participant') && getBusinessObject(element).processRef)
  ) {
    groups.push({
      id: 'gov-process',
      label: translate('Government service'),
      entries: [entry('gov-bundle', BundleCodeEntry, isTextFieldEntryEdited, element)],
    });
  }
  if (is(element, 'bpmn:SequenceFlow') && isConditionalSource(element)) {
    groups.push({
      id: 'gov-condition',
      label: translate('Condition'),
      entries: [entry('gov-condition', ConditionEntry, isFeelEntryEdited, element)],
    });
  }
  return groups;
}

function isConditionalSource(flow: Element): boolean {
  const source = flow.source;
  if (!source) return false;
  return (
    is(source, 'bpmn:ExclusiveGateway') ||
    is(source, 'bpmn:InclusiveGateway') ||
    (is(source, 'bpmn:Activity') && !!getBusinessObject(flow).conditionExpression)
  );
}

/** Our groups go right after "General". */
class GovPropertiesProvider {
  static $inject = ['propertiesPanel', 'translate'];

  constructor(
    propertiesPanel: Element,
    private readonly translate: Translate,
  ) {
    propertiesPanel.registerProvider(LOW_PRIORITY, this);
  }

  getGroups(element: Element) {
    return (groups: { id: string }[]) => {
      const ours = govGroups(element, this.translate);
      const general = groups.findIndex((g) => g.id === 'general');
      groups.splice(general < 0 ? 0 : general + 1, 0, ...ours);
      return groups;
    };
  }
}

export const govPropertiesModule = {
  __init__: ['govPropertiesProvider'],
  govPropertiesProvider: ['type', GovPropertiesProvider],
};
