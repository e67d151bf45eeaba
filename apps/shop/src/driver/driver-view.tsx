import type { DriverRoute } from '@pourover/orders';
import { useEffect, useState } from 'preact/hooks';
import type { KeyedDevice } from '../keyed-device.ts';
import { explain } from '../words/error-words.ts';
import { DeliveriesList } from './deliveries-list.tsx';
import type { DriverIdentity } from './driver-device.ts';
import { forgetDriverRoute, openDriverRoute } from './driver-route-session.ts';

/**
 * A signed-in driver's page, phone width first: who is signed in, the
 * deliveries assigned to them (kept on the phone, so the route works
 * offline) and signing out, which deletes them from the phone.
 */
export function DriverView({ device, driver, onSignOut }: { device: KeyedDevice; driver: DriverIdentity; onSignOut: () => void }) {
  const [route, setRoute] = useState<DriverRoute | undefined>();
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let opened: DriverRoute | undefined;
    let closed = false;
    openDriverRoute(device).then(
      (route) => {
        if (closed) return void route.close();
        opened = route;
        setRoute(route);
      },
      (failure: unknown) => setError(explain(failure).sentence),
    );
    return () => {
      closed = true;
      void opened?.close();
    };
  }, [device]);
  const signOut = () => void forgetDriverRoute(route).finally(onSignOut);
  return (
    <>
      <header class="site-header">
        <div class="bar">
          <span class="brand">Bluebottle deliveries</span>
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" class="driver-view">
        <h1>
          Signed in as <span data-testid="driver-name">{driver.name}</span>
        </h1>
        <section aria-labelledby="deliveries-heading">
          <h2 id="deliveries-heading">Your deliveries</h2>
          {error ? (
            <p class="error" role="alert">
              {error}
            </p>
          ) : route ? (
            <DeliveriesList route={route} />
          ) : (
            <p>Loading your deliveries…</p>
          )}
        </section>
      </main>
    </>
  );
}
