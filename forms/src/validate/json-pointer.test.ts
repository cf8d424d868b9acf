/** cfworker's locations read back: the path, escapes undone, and the value there. */
import { pointerPath, valueAt } from './json-pointer.js';

it('reads a location as its path, with ~1, ~0 and percent escapes undone', () => {
  expect(pointerPath('#')).toEqual([]);
  expect(pointerPath('#/investors/0/name')).toEqual(['investors', '0', 'name']);
  expect(pointerPath('#/a~1b/c~0d/%E5%90%8D')).toEqual(['a/b', 'c~d', '名']);
});

it('finds the value at a path, or undefined past the end', () => {
  const root = { investors: [{ name: '张三' }], 'a/b': 1 };
  expect(valueAt(root, ['investors', '0', 'name'])).toBe('张三');
  expect(valueAt(root, pointerPath('#/a~1b'))).toBe(1);
  expect(valueAt(root, ['investors', '1', 'name'])).toBeUndefined();
  expect(valueAt(root, [])).toBe(root);
});
