import type { SyncClient } from '@pourover/sync-client';
import { useEffect, useState } from 'preact/hooks';
import { readableDeviceName } from '../device-name.ts';
import { formatTime } from '../format.ts';
import { explain } from '../words/error-words.ts';
import { ownerDeviceName } from './owner-device.ts';

type OwnerDevice = { name: string; createdAt: string; revokedAt: string | null; current: boolean };

/** The browsers signed in as the store owner; any other can be signed out from here, at once. */
export function OwnerDevices({ client, onSignOut }: { client: SyncClient; onSignOut: () => void }) {
  const [devices, setDevices] = useState<OwnerDevice[]>([]);
  const [error, setError] = useState<string | null>(null);
  const reload = () => client.owner.devices.query().then(setDevices, (failure: unknown) => setError(explain(failure).sentence));
  useEffect(() => void reload(), [client]);
  const revoke = (device: string) => {
    setError(null);
    client.owner.revokeDevice.mutate({ device }).then(reload, (failure: unknown) => setError(explain(failure).sentence));
  };
  const active = devices.filter((device) => !device.revokedAt);
  return (
    <section class="owner-devices" aria-labelledby="owner-devices-heading">
      <h2 id="owner-devices-heading">The store owner’s signed-in devices</h2>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      <ul aria-label="Signed-in owner devices">
        {active.map((device) => {
          const shown = (device.current && ownerDeviceName()) || readableDeviceName(device.name.split(':').at(-1) ?? '');
          return (
            <li key={device.name}>
              <strong>{shown}</strong> {device.current ? '(this browser)' : ''} · signed in {formatTime(device.createdAt)}
              {device.current ? (
                <button type="button" onClick={onSignOut}>
                  Sign out this browser
                </button>
              ) : (
                <button type="button" aria-label={`Sign out ${shown}`} onClick={() => revoke(device.name)}>
                  Sign out
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
