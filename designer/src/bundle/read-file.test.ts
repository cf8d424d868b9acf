import { readBundleFile } from './read-file.js';
import { templateBundle } from './template.js';

describe('a bundle.json opened from disk', () => {
  it('reads a bundle', () => {
    expect(readBundleFile(JSON.stringify(templateBundle()))).toEqual({ bundle: templateBundle() });
  });
  it('says when it is not JSON, or not a bundle, and where', () => {
    expect(readBundleFile('{"code":')).toMatchObject({ problem: 'notJson' });
    const { items: _items, ...noItems } = templateBundle();
    const read = readBundleFile(JSON.stringify(noItems));
    expect(read).toMatchObject({ problem: 'notBundle' });
    expect('detail' in read && read.detail).toMatch(/items/);
  });
});
