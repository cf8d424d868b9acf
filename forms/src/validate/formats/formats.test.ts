import { checkCreditCode, organisationCodeLooksValid } from './credit-code.js';
import { isBankAccount, isDivisionCode, isMobile, isPostalCode, luhnOk } from './simple.js';
import { checkResidentId } from './resident-id.js';

describe('resident ID (GB 11643)', () => {
  const today = new Date('2026-06-01T00:00:00Z');

  it.each([
    ['11010519491231002X', '1949-12-31', '2'],
    ['440402199003071232', '1990-03-07', '1'],
    ['440402202401150029', '2024-01-15', '2'],
  ])('accepts the published %s', (id, birthDate, gender) => {
    expect(checkResidentId(id, today)).toEqual({ ok: true, normalised: id, birthDate, gender });
  });

  it('normalises a lower-case x', () => {
    expect(checkResidentId('11010519491231002x', today)).toMatchObject({
      ok: true,
      normalised: '11010519491231002X',
    });
  });

  it.each([
    ['110105194912310021', 'checksum'],
    ['440402199003071233', 'checksum'],
    ['440402202401150020', 'checksum'],
    ['440402199002301235', 'birthDate'], // 30 February
    ['440402199013071237', 'birthDate'], // month 13
    ['440402189912311234', 'birthDate'], // before 1900
    ['440402202712010011', 'birthDate'], // in the future
    ['001105194912310021', 'region'],
    ['110105491231002', 'shape'], // old 15-digit number
    ['11010519491231002Y', 'shape'],
  ])('refuses %s (%s)', (id, problem) => {
    expect(checkResidentId(id, today)).toEqual({ ok: false, problem });
  });

  it('accepts a baby born today in Beijing before 08:00, when the UTC date is still yesterday', () => {
    const first17 = '44040220260311001';
    const id = [...'0123456789X'].map((c) => first17 + c).find((x) => checkResidentId(x, today).ok);
    const at = (instant: string) => checkResidentId(id!, new Date(instant)).ok;
    expect(at('2026-03-10T23:30:00Z')).toBe(true); // 11 March 07:30 in Beijing
    expect(at('2026-03-10T16:00:00Z')).toBe(true); // 11 March 00:00 in Beijing
    expect(at('2026-03-10T15:59:59Z')).toBe(false); // still 10 March in Beijing
  });

  it('accepts a leap day and refuses a non-leap 29 February', () => {
    const fix = (first17: string) => checkResidentId(first17 + '0', today);
    // Find the right check character by trying all 11: only a real date ever passes.
    const anyOk = (first17: string) => [...'0123456789X'].some((c) => checkResidentId(first17 + c, today).ok);
    expect(anyOk('44040220000229123')).toBe(true);
    expect(anyOk('44040219000229123')).toBe(false);
    expect(fix('44040219000229123')).toEqual({ ok: false, problem: 'birthDate' });
  });
});

describe('unified social credit code (GB 32100)', () => {
  it.each(['91350100M000100Y43', '91440400MA4W12346M'])('accepts the published %s', (code) => {
    expect(checkCreditCode(code)).toEqual({ ok: true });
    expect(organisationCodeLooksValid(code)).toBe(true);
  });

  it.each([
    ['91350100M000100Y44', 'checksum'],
    ['91440400MA4W12346N', 'checksum'],
    ['91440400MA4W12364M', 'checksum'], // two characters swapped
    ['91350100M0001O0Y43', 'shape'], // letter O is not in the alphabet
    ['B1350100M000100Y43', 'shape'], // no such registering authority
    ['9135010OM000100Y43', 'shape'],
    ['913501A0M000100Y43', 'region'],
    ['91350100M000100Y4', 'shape'],
  ])('refuses %s (%s)', (code, problem) => {
    expect(checkCreditCode(code)).toEqual({ ok: false, problem });
  });
});

describe('other formats', () => {
  it('mobile numbers', () => {
    expect(['13800138000', '19912345678', '16612345678'].every(isMobile)).toBe(true);
    expect(['12800138000', '1380013800', '138001380000', '+8613800138000'].some(isMobile)).toBe(false);
  });

  it('postal codes', () => {
    expect(isPostalCode('519000')).toBe(true);
    expect(isPostalCode('010000')).toBe(true);
    expect(['51900', '5190000', '000000', '51900A'].some(isPostalCode)).toBe(false);
  });

  it('administrative-division codes', () => {
    expect(['440400', '440402', '440402001', '440402001001'].every(isDivisionCode)).toBe(true);
    expect(['990402', '44040', '4404021', 'abcdef'].some(isDivisionCode)).toBe(false);
  });

  it('bank accounts and the Luhn warning', () => {
    expect(isBankAccount('6222020200112233445')).toBe(true);
    expect(isBankAccount('6222-0202')).toBe(false);
    expect(luhnOk('4111111111111111')).toBe(true);
    expect(luhnOk('4111111111111112')).toBe(false);
  });
});
