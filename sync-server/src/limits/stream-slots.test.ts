import { principalOf, shopperReplica, STORE, type Principal } from '@pourover/schemas';
import { describe, expect, it } from 'vitest';
import { limitSettings } from './limit-settings.ts';
import { StreamSlots } from './stream-slots.ts';

const device = (shopper: number, label: string) =>
  principalOf(`${shopperReplica(`00000000-0000-4000-8000-00000000000${shopper}`)}:${label}`) as Principal;

describe('live-stream places', () => {
  it('refuses a stream past the node’s cap, gives nothing away when refused, and takes one again once a stream closes', async () => {
    const slots = new StreamSlots(limitSettings({ node: { streams: 2 } }));
    const first = await slots.take(device(1, 'a'), '127.0.0.2');
    await slots.take(device(2, 'b'), '127.0.0.3');
    await expect(slots.take(device(3, 'c'), '127.0.0.4')).rejects.toThrow(/as many live streams open as it takes/);
    // The refused stream's places at the other levels were given back: its device can open one once there is room.
    first();
    await new Promise((resolve) => setTimeout(resolve, 10));
    const third = await slots.take(device(3, 'c'), '127.0.0.4');
    expect(typeof third).toBe('function');
  });

  it('counts the streams of an account’s devices together, and of an address together', async () => {
    const slots = new StreamSlots(limitSettings({ account: { streams: 2 }, address: { streams: 3 } }));
    await slots.take(device(1, 'phone'), '127.0.0.2');
    await slots.take(device(1, 'laptop'), '127.0.0.3');
    await expect(slots.take(device(1, 'tablet'), '127.0.0.4')).rejects.toThrow(/this account’s devices already have 2/);
    await slots.take(device(2, 'phone'), '127.0.0.9');
    await slots.take(device(3, 'phone'), '127.0.0.9');
    await slots.take(device(4, 'phone'), '127.0.0.9');
    await expect(slots.take(device(5, 'phone'), '127.0.0.9')).rejects.toThrow(/your address already has 3/);
  });

  it('gives the store, whose workers and dashboards each watch, a cap of its own above a device’s', async () => {
    const slots = new StreamSlots(limitSettings({ device: { streams: 2 }, store: { streams: 5 } }));
    const store = principalOf(STORE) as Principal;
    for (let n = 0; n < 5; n += 1) await slots.take(store, `127.0.0.${n + 2}`);
    await expect(slots.take(store, '127.0.0.9')).rejects.toThrow(/the store already has 5 live streams open/);
    await slots.take(device(1, 'phone'), '127.0.0.2');
    await slots.take(device(1, 'phone'), '127.0.0.2');
    await expect(slots.take(device(1, 'phone'), '127.0.0.2')).rejects.toThrow(/this device already has 2/);
  });
});
