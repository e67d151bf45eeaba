import type { SyncClient } from '@pourover/sync-client';
import { useEffect, useState } from 'preact/hooks';
import { formatTime } from '../format.ts';
import { pairingUrl } from '../pairing-link.ts';
import { PairingQr } from '../pairing-qr.tsx';
import { explain } from '../words/error-words.ts';

type Driver = { id: string; name: string; createdAt: string };
type Pairing = { driverId: string; code: string; expiresAt: string };

/** The most characters a driver's name may have (the server refuses longer ones). */
const MAX_DRIVER_NAME = 60;

/** A driver's pairing code, with the QR code and link that open the driver's sign-in on their phone with it filled in. */
function PairingCode({ driver, pairing }: { driver: Driver; pairing: Pairing }) {
  const link = pairingUrl(location.origin, pairing.code, '/driver');
  return (
    <div class="driver-pairing" aria-live="polite">
      <p class="pairing-code">
        On {driver.name}’s phone open <a href={link}>{link.split('#')[0]}</a> and enter{' '}
        <strong data-testid="driver-pairing-code">{pairing.code}</strong>, or scan this code with its camera, before{' '}
        {formatTime(pairing.expiresAt)}. It works once.
      </p>
      <PairingQr text={link} label={`QR code for signing in ${driver.name}’s phone with code ${pairing.code}`} />
    </div>
  );
}

/** The store's drivers: add one by name, show a pairing code for their phone, remove one (their phones are signed out at once). */
export function DriversSection({ client }: { client: SyncClient }) {
  const [drivers, setDrivers] = useState<Driver[]>([]);
  const [name, setName] = useState('');
  const [pairing, setPairing] = useState<Pairing | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = () => client.drivers.list.query().then(setDrivers, (failure: unknown) => setError(explain(failure).sentence));
  useEffect(() => void reload(), [client]);
  const act = (work: () => Promise<unknown>) => {
    setError(null);
    work().then(reload, (failure: unknown) => setError(explain(failure).sentence));
  };
  const add = (event: Event) => {
    event.preventDefault();
    act(async () => {
      await client.drivers.create.mutate({ name });
      setName('');
    });
  };
  return (
    <section class="drivers" aria-labelledby="drivers-heading">
      <h2 id="drivers-heading">Drivers</h2>
      <form class="add-driver" onSubmit={add}>
        <label for="driver-name">New driver’s name</label>
        <input
          id="driver-name"
          required
          maxLength={MAX_DRIVER_NAME}
          autoComplete="off"
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
        />
        <button type="submit">Add driver</button>
      </form>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      {drivers.length === 0 ? <p>No drivers yet.</p> : null}
      <ul aria-label="Drivers">
        {drivers.map((driver) => (
          <li key={driver.id} class="driver-row">
            <strong>{driver.name}</strong> · added {formatTime(driver.createdAt)}
            <div class="row-actions">
              <button
                type="button"
                aria-label={`Pair a phone for ${driver.name}`}
                onClick={() =>
                  act(async () =>
                    setPairing({ driverId: driver.id, ...(await client.drivers.createPairingCode.mutate({ driverId: driver.id })) }),
                  )
                }
              >
                Pair a phone
              </button>
              <button
                type="button"
                aria-label={`Remove ${driver.name}`}
                onClick={() =>
                  act(async () => {
                    await client.drivers.remove.mutate({ driverId: driver.id });
                    if (pairing?.driverId === driver.id) setPairing(null);
                  })
                }
              >
                Remove
              </button>
            </div>
            {pairing?.driverId === driver.id ? <PairingCode driver={driver} pairing={pairing} /> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
