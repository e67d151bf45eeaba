import type { Shop } from '@pourover/orders';
import { useEffect, useState } from 'preact/hooks';
import { readableDeviceName, rememberedDeviceName } from './device-name.ts';
import { formatTime } from './format.ts';
import { pairingUrl } from './pairing-link.ts';
import { PairingQr } from './pairing-qr.tsx';
import { explain } from './words/error-words.ts';

type Device = { name: string; createdAt: string; revokedAt: string | null; current: boolean };

/**
 * Pairing a second device with a short code, typed or scanned as a QR code,
 * and the shopper's devices, each revocable. Loaded when first opened, with
 * the QR encoder, so the shop's first load stays small.
 */
export default function Devices({ shop }: { shop: Shop }) {
  const [devices, setDevices] = useState<Device[]>([]);
  const [code, setCode] = useState<{ code: string; expiresAt: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const auth = shop.replica.client.auth;
  const reload = () => auth.devices.query().then(setDevices, (failure: unknown) => setError(explain(failure).sentence));
  useEffect(() => void reload(), []);
  const act = (work: () => Promise<unknown>) => {
    setError(null);
    work().then(reload, (failure: unknown) => setError(explain(failure).sentence));
  };
  return (
    <section class="devices" aria-labelledby="devices-heading">
      <h1 id="devices-heading">Your devices</h1>
      <button type="button" onClick={() => act(async () => setCode(await auth.createPairingCode.mutate()))}>
        Pair another device
      </button>
      {code ? (
        <div aria-live="polite">
          <p class="pairing-code">
            On your other device choose “Pair with a code” and enter <strong data-testid="pairing-code">{code.code}</strong>, or scan this
            code with its camera, before {formatTime(code.expiresAt)}. It works once.
          </p>
          <PairingQr text={pairingUrl(location.origin, code.code)} label={`QR code for pairing with code ${code.code}`} />
        </div>
      ) : null}
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      <ul>
        {devices.map((device) => {
          const shown = device.current
            ? (rememberedDeviceName() ?? readableDeviceName(device.name.split(':').at(-1) ?? ''))
            : readableDeviceName(device.name.split(':').at(-1) ?? '');
          return (
            <li key={device.name}>
              <strong>{shown}</strong> {device.current ? '(this device)' : ''} · added {formatTime(device.createdAt)}
              {device.revokedAt ? ' · revoked' : null}
              {!device.current && !device.revokedAt ? (
                <button
                  type="button"
                  aria-label={`Revoke ${shown}`}
                  onClick={() => act(() => auth.revokeDevice.mutate({ device: device.name }))}
                >
                  Revoke
                </button>
              ) : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
