import { describe, expect, it } from 'vitest';
import { deviceIdOf, deviceLabel } from './device-label.ts';

const ID = /^[A-Za-z0-9_-]{1,64}$/;

describe('a device named in free text', () => {
  it('is blessed under a safe id that keeps the name readable', () => {
    expect(deviceIdOf('Phone A')).toMatch(/^Phone-A-[0-9a-f]{6}$/);
    expect(deviceIdOf('Cuisine d’Émile')).toMatch(/^Cuisine-d-Emile-[0-9a-f]{6}$/);
    expect(deviceIdOf('手机')).toMatch(/^device-[0-9a-f]{6}$/);
    for (const name of ['Phone A', '  spaced  out ', 'a'.repeat(40), '🙂🙂', 'x:y:z', 'ünïcödé tablet'])
      expect(deviceIdOf(name)).toMatch(ID);
  });

  it('keeps names that read alike apart, and gives one name the same id every time', () => {
    expect(deviceIdOf('Phone A')).not.toBe(deviceIdOf('Phone  A'));
    expect(deviceIdOf('Phone A')).toBe(deviceIdOf('Phone A'));
  });

  it('keeps the id of a device named before free-text names', () => {
    expect(deviceIdOf('device-k3x9a1')).toBe('device-k3x9a1');
    expect(deviceLabel.parse('laptop')).toBe('laptop');
    expect(deviceLabel.parse('a'.repeat(64))).toBe('a'.repeat(64));
  });

  it('refuses an empty name, one past 40 characters and control characters, in words', () => {
    expect(deviceLabel.safeParse('   ').error?.issues[0]?.message).toBe('name this device');
    expect(deviceLabel.safeParse('a '.repeat(21)).error?.issues[0]?.message).toBe('a device name has at most 40 characters');
    expect(deviceLabel.safeParse('tab\u0007').success).toBe(false);
  });
});
