/**
 * JSON Forms for a page that keeps the form's data in its own state.
 *
 * JSON Forms reports a change 10 ms late (debounced) and re-applies its `data` prop whenever that
 * prop changes. Fed straight back, a report can therefore arrive after a newer answer was given
 * and put the older data over it: a click that lands between the report and React's re-render is
 * silently undone (eclipsesource/jsonforms#2174). Under load this lost a situation answer at the
 * clerk's window, and the guide then asked for an answer the clerk had already given.
 *
 * Here data that JSON Forms itself reported never replaces newer data in the form; data the page
 * brings from elsewhere still does. `latest` is the form's data as of the last input, before the
 * 10 ms report: a button pressed right after typing acts on what is on the screen.
 */
import { useCallback, useRef, type MutableRefObject } from 'react';
import { JsonForms } from '@jsonforms/react';
import { UPDATE_CORE, type CoreActions, type JsonFormsCore, type Middleware } from '@jsonforms/core';

type Props = Parameters<typeof JsonForms>[0] & { latest?: MutableRefObject<unknown> };

export function LiveForm({ latest, onChange, ...props }: Props) {
  const reported = useRef(new WeakSet<object>());
  const report = useCallback<NonNullable<Props['onChange']>>(
    (state) => {
      if (state.data && typeof state.data === 'object') reported.current.add(state.data as object);
      onChange?.(state);
    },
    [onChange],
  );
  const middleware = useCallback<Middleware>(
    (state: JsonFormsCore, action: CoreActions, reducer) => {
      const echo =
        action.type === UPDATE_CORE &&
        action.data !== state.data &&
        !!action.data &&
        typeof action.data === 'object' &&
        reported.current.has(action.data as object);
      const next = reducer(state, echo ? { ...action, data: state.data } : action);
      if (latest) latest.current = next.data;
      return next;
    },
    [latest],
  );
  return <JsonForms {...props} middleware={middleware} onChange={report} />;
}
