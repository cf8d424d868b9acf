import { localId, localPart } from './local-ids.js';

describe('instance-local ids', () => {
  it('are the same string each time, reading as prefix and number', () => {
    expect(localId('t', 7)).toBe('t7');
    expect(localId('w', 4095)).toBe('w4095');
    expect(localId('s', 4096)).toBe('s4096');
    expect(localId('w', 12)).toBe(localId('w', 12));
  });

  it('take the local part of a public id as a slice after the last dot would', () => {
    for (const id of [
      'a1b2.w7',
      'a.b.c.w12',
      'inst.w0',
      'inst.w01',
      'inst.w4095',
      'inst.w4096',
      'inst.w123456',
      'inst.x9',
      'inst.W3',
      'inst.7',
      'inst.w',
      'inst.ww7',
      'inst.w7x',
      'inst.-5',
      'inst.',
      'nodot',
      'w7',
      'inst.é7',
      'inst.job-1',
    ])
      expect(localPart(id)).toBe(id.slice(id.lastIndexOf('.') + 1));
  });
});
