import { describe, expect, it } from 'vitest';
import { routeOf } from './routes.ts';

describe('the shop’s addresses', () => {
  it('name each screen, so back, reload and a shared link open the same one', () => {
    expect(routeOf('/')).toEqual({ screen: 'shop', category: 'all' });
    expect(routeOf('/coffee')).toEqual({ screen: 'shop', category: 'coffee' });
    expect(routeOf('/gear/')).toEqual({ screen: 'shop', category: 'gear' });
    expect(routeOf('/order')).toEqual({ screen: 'order' });
    expect(routeOf('/orders')).toEqual({ screen: 'orders' });
    expect(routeOf('/orders/0191d2c4-aaaa-4bbb-8ccc-000000000001', '?placed')).toEqual({
      screen: 'order-page',
      id: '0191d2c4-aaaa-4bbb-8ccc-000000000001',
      placed: true,
    });
    expect(routeOf('/profile')).toEqual({ screen: 'profile' });
    expect(routeOf('/devices')).toEqual({ screen: 'devices' });
    expect(routeOf('/owner')).toEqual({ screen: 'owner', tab: 'board' });
    expect(routeOf('/owner/editor')).toEqual({ screen: 'owner', tab: 'editor' });
    expect(routeOf('/owner/deliveries')).toEqual({ screen: 'owner', tab: 'deliveries' });
    expect(routeOf('/owner/drivers')).toEqual({ screen: 'owner', tab: 'drivers' });
    expect(routeOf('/driver')).toEqual({ screen: 'driver' });
  });

  it('show a page of their own for an address the shop does not know', () => {
    for (const path of ['/nope', '/orders/not-an-id', '/coffee/extra', '/owner/else', '/driver/else', '/drivers', '/a/b/c'])
      expect(routeOf(path), path).toEqual({ screen: 'not-found' });
  });
});
