/**
 * Region scoping by administrative division code: 2 digits a province, 4 a city, 6 a county or
 * district (padded: 440000 province, 440400 city, 440402 district), 9 a town, 12 a village. Town
 * and village codes may end in 00 without being cities.
 */
import type { Actor } from '../domain/actor.js';
import { canSee, inRegion, listScope, regionLevel, taskScope } from './scope.js';
import type { Application } from './types.js';

const clerk = (region: string): Actor => ({ userId: 'c', name: 'c', role: 'clerk', region });
const supervisor = (region: string): Actor => ({ userId: 's', name: 's', role: 'supervisor', region });

test('the level of a division code is decided by its length, and for six digits by its trailing zeros', () => {
  expect(
    [
      '44',
      '4404',
      '440000',
      '440400',
      '440402',
      '440402101',
      '440402100',
      '440402101200',
      '440402101001',
    ].map(regionLevel),
  ).toEqual(['province', 'city', 'province', 'city', 'district', 'town', 'town', 'village', 'village']);
});

test('a town or village user ending in 00 is scoped to their district, not taken for a city', () => {
  for (const region of ['440403100', '440403101200', '440403101001']) {
    expect(listScope(clerk(region))).toEqual({ region: '440403' });
    expect(listScope(supervisor(region))).toEqual({ region: '440403' });
    expect(taskScope(supervisor(region))).toEqual({ deciderDistrict: '440403' });
    expect(inRegion(clerk(region), { region: '440403', city: '440400' })).toBe(true);
    expect(inRegion(clerk(region), { region: '440402', city: '440400' })).toBe(false);
  }
  const app = { region: '440403', city: '440400', items: [], applicant: {}, status: 'submitted' };
  expect(canSee(clerk('440403101200'), app as unknown as Application)).toBe(true);
});

test('city and district users keep their scopes', () => {
  expect(listScope(clerk('440400'))).toEqual({ city: '440400' });
  expect(listScope(clerk('440402'))).toEqual({ region: '440402' });
  expect(taskScope(supervisor('440400'))).toEqual({ deciderCity: '440400' });
  expect(taskScope(supervisor('440402'))).toEqual({ deciderDistrict: '440402' });
  expect(inRegion(supervisor('440400'), { region: '440403', city: '440400' })).toBe(true);
});
