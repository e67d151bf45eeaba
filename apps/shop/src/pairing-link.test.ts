import { describe, expect, it } from 'vitest';
import { pairingCodeOf, pairingUrl } from './pairing-link.ts';

const origin = 'https://shop.example';

describe('pairing links', () => {
  it('carry the code to the other device', () => {
    expect(pairingUrl(origin, 'AB12CD34')).toBe('https://shop.example/pair#code=AB12CD34');
    expect(pairingCodeOf(pairingUrl(origin, 'AB12CD34'), origin)).toBe('AB12CD34');
  });

  it('carry a driver’s code to the driver’s sign-in, and only there', () => {
    expect(pairingUrl(origin, 'AB12CD34', '/driver')).toBe('https://shop.example/driver#code=AB12CD34');
    expect(pairingCodeOf(pairingUrl(origin, 'AB12CD34', '/driver'), origin, '/driver')).toBe('AB12CD34');
    expect(pairingCodeOf(pairingUrl(origin, 'AB12CD34', '/driver'), origin)).toBeUndefined();
    expect(pairingCodeOf(pairingUrl(origin, 'AB12CD34'), origin, '/driver')).toBeUndefined();
  });

  it('take a bare code, in any case', () => {
    expect(pairingCodeOf(' ab12cd34 ', origin)).toBe('AB12CD34');
  });

  it('give nothing for another site, another page or a malformed code', () => {
    expect(pairingCodeOf('https://evil.example/pair#code=AB12CD34', origin)).toBeUndefined();
    expect(pairingCodeOf('https://shop.example/owner#code=AB12CD34', origin)).toBeUndefined();
    expect(pairingCodeOf('https://shop.example/pair#code=AB12', origin)).toBeUndefined();
    expect(pairingCodeOf('https://shop.example/pair#code=AB12CD34%3Cscript%3E', origin)).toBeUndefined();
    expect(pairingCodeOf('https://shop.example/pair', origin)).toBeUndefined();
    expect(pairingCodeOf('not a link', origin)).toBeUndefined();
  });
});
