import { useEffect, useRef, useState } from 'preact/hooks';
import { pairingCodeOf, type PairingPage } from './pairing-link.ts';

type QrDetector = { detect(source: HTMLVideoElement): Promise<{ rawValue: string }[]> };
type QrDetectorConstructor = { new (options: { formats: string[] }): QrDetector; getSupportedFormats(): Promise<string[]> };

const SCAN_EVERY_MS = 200;

/**
 * The browser's own QR reader, where it has one and a camera (the Barcode
 * Detection API is missing from Firefox and from desktop Linux, among others).
 */
async function qrDetector(): Promise<QrDetector | undefined> {
  const Detector = (globalThis as { BarcodeDetector?: QrDetectorConstructor }).BarcodeDetector;
  if (!Detector || !navigator.mediaDevices?.getUserMedia) return undefined;
  return (await Detector.getSupportedFormats()).includes('qr_code') ? new Detector({ formats: ['qr_code'] }) : undefined;
}

function stop(camera: MediaStream) {
  for (const track of camera.getTracks()) track.stop();
}

/** Reads a pairing QR code with the camera. Shown only where the browser can; typing the code works everywhere. */
export function ScanPairingCode({ onCode, page = '/pair' }: { onCode: (code: string) => void; page?: PairingPage }) {
  const [detector, setDetector] = useState<QrDetector | undefined>(undefined);
  const [scanning, setScanning] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const video = useRef<HTMLVideoElement>(null);
  useEffect(() => void qrDetector().then(setDetector, () => setDetector(undefined)), []);
  useEffect(() => {
    const view = video.current;
    if (!scanning || !detector || !view) return undefined;
    let stopped = false;
    let camera: MediaStream | undefined;
    const scan = async () => {
      camera = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
      if (stopped) return stop(camera);
      view.srcObject = camera;
      await view.play();
      while (!stopped) {
        for (const { rawValue } of await detector.detect(view)) {
          const code = pairingCodeOf(rawValue, location.origin, page);
          if (code) return onCode(code);
          setMessage('That QR code is not a pairing code from this shop.');
        }
        await new Promise((resolve) => setTimeout(resolve, SCAN_EVERY_MS));
      }
    };
    scan().then(
      () => setScanning(false),
      () => {
        setMessage('The camera could not be used. Type the code instead.');
        setScanning(false);
      },
    );
    return () => {
      stopped = true;
      if (camera) stop(camera);
    };
  }, [scanning, detector, page]);
  if (!detector) return null;
  return (
    <div class="scanner">
      <button
        type="button"
        onClick={() => {
          setMessage(null);
          setScanning(!scanning);
        }}
      >
        {scanning ? 'Stop scanning' : 'Scan the QR code'}
      </button>
      {scanning ? <video ref={video} muted playsInline aria-label="Camera view: point it at the pairing QR code" /> : null}
      {message ? <p role="status">{message}</p> : null}
    </div>
  );
}
