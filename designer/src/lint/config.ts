/**
 * The designer's lint configuration as bpmn-js-bpmnlint and bpmnlint's Linter want it:
 * `{ config, resolver }`. bpmnlint normally packs a .bpmnlintrc with its CLI or a bundler plugin;
 * we build the static resolver's cache by hand instead, so the same object runs in the browser
 * (Vite bundles the CommonJS rule files) and in Node (jest).
 *
 * Our rules live in the local plugin `bpmnlint-plugin-gov` (rule names `gov/<rule>`); they take
 * the bundle's departments and items and the interface language as options, so the config is
 * rebuilt whenever the bundle or the language changes.
 */
import StaticResolver from 'bpmnlint/lib/resolver/static-resolver.js';
import endEventRequired from 'bpmnlint/rules/end-event-required.js';
import eventBasedGateway from 'bpmnlint/rules/event-based-gateway.js';
import fakeJoin from 'bpmnlint/rules/fake-join.js';
import labelRequired from 'bpmnlint/rules/label-required.js';
import noDisconnected from 'bpmnlint/rules/no-disconnected.js';
import noDuplicateSequenceFlows from 'bpmnlint/rules/no-duplicate-sequence-flows.js';
import noGatewayJoinFork from 'bpmnlint/rules/no-gateway-join-fork.js';
import noImplicitSplit from 'bpmnlint/rules/no-implicit-split.js';
import noOverlappingElements from 'bpmnlint/rules/no-overlapping-elements.js';
import singleBlankStartEvent from 'bpmnlint/rules/single-blank-start-event.js';
import startEventRequired from 'bpmnlint/rules/start-event-required.js';
import superfluousGateway from 'bpmnlint/rules/superfluous-gateway.js';
import conditionalSplits from './rules/conditional-splits.js';
import feelConditions from './rules/feel-conditions.js';
import parallelJoin from './rules/parallel-join.js';
import supportedElements from './rules/supported-elements.js';
import timeLimit from './rules/time-limit.js';
import userTaskAssignment from './rules/user-task-assignment.js';
import type { GovRuleOptions, Lang, Reporter, RuleDefinition } from './types.js';

type AnyFactory = (options?: never) => unknown;

/** Our rules, by name inside the plugin. */
export const govRules = {
  'user-task-assignment': userTaskAssignment,
  'time-limit': timeLimit,
  'conditional-splits': conditionalSplits,
  'parallel-join': parallelJoin,
  'supported-elements': supportedElements,
  'feel-conditions': feelConditions,
} as const;

/** bpmnlint's own rules we keep, with the level we give them. */
const upstream: Record<string, [AnyFactory, 'error' | 'warn']> = {
  'start-event-required': [startEventRequired, 'error'],
  'end-event-required': [endEventRequired, 'error'],
  'no-disconnected': [noDisconnected, 'error'],
  'no-implicit-split': [noImplicitSplit, 'error'],
  'no-duplicate-sequence-flows': [noDuplicateSequenceFlows, 'error'],
  'single-blank-start-event': [singleBlankStartEvent, 'error'],
  'event-based-gateway': [eventBasedGateway, 'error'],
  'fake-join': [fakeJoin, 'warn'],
  'superfluous-gateway': [superfluousGateway, 'warn'],
  'no-gateway-join-fork': [noGatewayJoinFork, 'warn'],
  'label-required': [labelRequired, 'warn'],
  'no-overlapping-elements': [noOverlappingElements, 'warn'],
};

/** Chinese for bpmnlint's English messages. */
const UPSTREAM_ZH: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/^(.+) is missing start event$/, () => '缺少开始事件'],
  [/^(.+) is missing end event$/, () => '缺少结束事件'],
  [/^(.+) has multiple blank start events$/, () => '有多个空白开始事件'],
  [/^Element is not connected$/, () => '元素未连接'],
  [/^Flow splits implicitly$/, () => '隐式分支：请使用网关'],
  [/^SequenceFlow is a duplicate$/, () => '重复的顺序流'],
  [/^Duplicate outgoing sequence flows$/, () => '重复的流出顺序流'],
  [/^Duplicate incoming sequence flows$/, () => '重复的流入顺序流'],
  [/^Incoming flows do not join$/, () => '多条流入未经网关汇合'],
  [/^Gateway is superfluous/, () => '多余的网关：只有一条流入和一条流出'],
  [/^Gateway forks and joins$/, () => '网关同时分支和汇合'],
  [/^Element is missing label\/name$/, () => '元素缺少名称'],
  [/^Element overlaps with other element$/, () => '元素与其他元素重叠'],
  [/^Element is outside of parent boundary$/, () => '元素超出父元素边界'],
  [/Event-based Gateway> must have at least 2/, () => '事件网关至少需要两条流出'],
  [/Event-based Gateway> must not be conditional/, () => '事件网关的流出不能带条件'],
];

export function translateUpstream(message: string, lang: Lang): string {
  if (lang === 'en') return message;
  for (const [pattern, zh] of UPSTREAM_ZH) {
    const match = message.match(pattern);
    if (match) return zh(match);
  }
  return message;
}

/** Wraps an upstream rule so that what it reports reads in the interface language. */
function localized(factory: AnyFactory, lang: Lang): AnyFactory {
  return ((options?: never) => {
    const rule = factory(options) as RuleDefinition;
    const wrap = (reporter: Reporter): Reporter => ({
      report: (id, message, path) => reporter.report(id, translateUpstream(message, lang), path as string[]),
    });
    const check = rule.check as unknown;
    if (typeof check === 'function') {
      return {
        ...rule,
        check: (node: unknown, reporter: Reporter) =>
          (check as RuleDefinition['check'])(node, wrap(reporter)),
      };
    }
    const { enter, leave } = check as { enter?: RuleDefinition['check']; leave?: RuleDefinition['check'] };
    return {
      ...rule,
      check: {
        ...(enter ? { enter: (node: unknown, reporter: Reporter) => enter(node, wrap(reporter)) } : {}),
        ...(leave ? { leave: (node: unknown, reporter: Reporter) => leave(node, wrap(reporter)) } : {}),
      },
    };
  }) as AnyFactory;
}

export const GOV_PLUGIN = 'bpmnlint-plugin-gov';

export interface LinterConfig {
  config: { rules: Record<string, unknown> };
  resolver: InstanceType<typeof StaticResolver>;
}

/** `{ config, resolver }` for bpmn-js-bpmnlint's `linting.bpmnlint` option or `new Linter(...)`. */
export function linterConfig(options: GovRuleOptions = {}, only?: string[]): LinterConfig {
  const lang: Lang = options.lang ?? 'zh';
  const cache: Record<string, unknown> = {};
  const rules: Record<string, unknown> = {};
  for (const [name, [factory, level]] of Object.entries(upstream)) {
    cache[`rule:bpmnlint/${name}`] = localized(factory, lang);
    rules[name] = level;
  }
  for (const [name, factory] of Object.entries(govRules)) {
    cache[`rule:${GOV_PLUGIN}/${name}`] = factory;
    rules[`gov/${name}`] = ['error', { ...options, lang }];
  }
  const selected = only
    ? Object.fromEntries(Object.entries(rules).filter(([name]) => only.includes(name)))
    : rules;
  return { config: { rules: selected }, resolver: new StaticResolver(cache) };
}

/** The lint options that follow from a bundle definition. */
export function bundleLintOptions(
  bundle: {
    departments: { code: string }[];
    items: { code: string; department: string; promisedDays?: number }[];
  } | null,
  lang: Lang,
): GovRuleOptions {
  if (!bundle) return { lang };
  return {
    lang,
    departments: bundle.departments.map((d) => d.code),
    items: Object.fromEntries(
      bundle.items.map((i) => [i.code, { department: i.department, promisedDays: i.promisedDays }]),
    ),
  };
}
