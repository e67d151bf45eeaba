/** Every screen of the shop and the owner's view, by its address. */
export type Route =
  | { screen: 'shop'; category: 'all' | 'coffee' | 'gear' }
  | { screen: 'order' }
  | { screen: 'orders' }
  | { screen: 'order-page'; id: string; placed: boolean }
  | { screen: 'profile' }
  | { screen: 'devices' }
  | { screen: 'owner'; tab: 'board' | 'deliveries' | 'editor' | 'drivers' }
  | { screen: 'driver' }
  | { screen: 'not-found' };

const ORDER_ID = /^[0-9a-f-]{36}$|^[0-9A-HJKMNP-TV-Z]{26}$/;

/** The screen an address shows; one the app does not know is `not-found` (with a link home), never a blank page. */
export function routeOf(pathname: string, search = ''): Route {
  const parts = pathname.split('/').filter(Boolean);
  const [first, second, ...rest] = parts;
  if (rest.length > 0) return { screen: 'not-found' };
  if (first === undefined || first === 'pair') return { screen: 'shop', category: 'all' };
  if ((first === 'coffee' || first === 'gear') && second === undefined) return { screen: 'shop', category: first };
  if (first === 'order' && second === undefined) return { screen: 'order' };
  if (first === 'orders' && second === undefined) return { screen: 'orders' };
  if (first === 'orders' && second && ORDER_ID.test(second))
    return { screen: 'order-page', id: second, placed: new URLSearchParams(search).has('placed') };
  if (first === 'profile' && second === undefined) return { screen: 'profile' };
  if (first === 'devices' && second === undefined) return { screen: 'devices' };
  if (first === 'owner' && (second === undefined || second === 'deliveries' || second === 'editor' || second === 'drivers'))
    return { screen: 'owner', tab: second ?? 'board' };
  if (first === 'driver' && second === undefined) return { screen: 'driver' };
  return { screen: 'not-found' };
}
