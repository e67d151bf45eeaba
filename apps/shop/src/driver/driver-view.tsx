import type { KeyedDevice } from '../keyed-device.ts';
import type { DriverIdentity } from './driver-device.ts';

/**
 * A signed-in driver's page, phone width first: who is signed in, the
 * deliveries assigned to them (none yet) and signing out. `device` is the
 * phone's signed-in client, for what the page will read.
 */
export function DriverView({ driver, onSignOut }: { device: KeyedDevice; driver: DriverIdentity; onSignOut: () => void }) {
  return (
    <>
      <header class="site-header">
        <div class="bar">
          <span class="brand">Bluebottle deliveries</span>
          <button type="button" onClick={onSignOut}>
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
          <ul aria-label="Deliveries assigned to you" />
          <p>No deliveries assigned to you.</p>
        </section>
      </main>
    </>
  );
}
