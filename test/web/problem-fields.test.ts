/** The server's request checks name fields where the value was (`body.reason`); pages name them plainly. */
import { fieldMessage, formErrors, isAbout, problemField } from '../../web/src/lib/problems.js';

const reason = { field: 'body.reason', message: { zh: '不能为空', en: 'must not be empty' } };
const entry = {
  field: 'body.entries[0].problem',
  message: { zh: '长度不能超过 2000', en: 'must have at most 2000 characters' },
};
const from = { field: 'query.from', message: { zh: '格式应为 date', en: 'must be a valid date' } };

test('a request-check problem is shown under the field the page names', () => {
  expect(fieldMessage([reason], 'reason', 'zh')).toBe('不能为空');
  expect(fieldMessage([entry], 'entries[0]', 'en')).toBe('must have at most 2000 characters');
  expect(fieldMessage([entry], 'entries[1]', 'zh')).toBeUndefined();
  expect(fieldMessage([from], 'from', 'zh')).toBe('格式应为 date');
  // A domain check's own name is unchanged; a field merely starting alike is not matched.
  expect(fieldMessage([{ ...reason, field: 'reason' }], 'reason', 'zh')).toBe('不能为空');
  expect(fieldMessage([{ ...reason, field: 'body.reasonCode' }], 'reason', 'zh')).toBeUndefined();
});

test('problemField and isAbout read the name without where it was', () => {
  expect(problemField(entry)).toBe('entries[0].problem');
  expect(problemField({ ...reason, field: 'params.id' })).toBe('id');
  expect(problemField({ ...reason, field: 'bodyText' })).toBe('bodyText');
  expect(isAbout(entry, 'entries')).toBe(true);
  expect(isAbout(entry, 'entries[0]')).toBe(true);
});

test('a request-check problem on a form value goes under the form control', () => {
  const errors = formErrors([{ ...reason, field: 'body.data.companyName' }], 'zh');
  expect(errors.map((e) => [e.instancePath, e.message])).toEqual([['/companyName', '不能为空']]);
});
