import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { encode } from 'uqr';

const FRAME = 480;
const SCALE = 8;

/**
 * Writes a Y4M video of one frame showing `text` as a QR code, for
 * Chromium's fake camera (`--use-file-for-fake-video-capture`): what a
 * camera pointed at the other device's screen would see.
 */
export function writeQrVideo(path: string, text: string) {
  const { size, data } = encode(text, { ecc: 'M', border: 4 });
  const offset = Math.floor((FRAME - size * SCALE) / 2);
  const luma = Buffer.alloc(FRAME * FRAME, 255);
  for (let y = 0; y < size * SCALE; y++) {
    for (let x = 0; x < size * SCALE; x++) {
      if (data[Math.floor(y / SCALE)]?.[Math.floor(x / SCALE)]) luma[(offset + y) * FRAME + offset + x] = 0;
    }
  }
  const chroma = Buffer.alloc((FRAME / 2) * (FRAME / 2) * 2, 128);
  writeFileSync(path, Buffer.concat([Buffer.from(`YUV4MPEG2 W${FRAME} H${FRAME} F30:1 Ip A1:1 C420jpeg\nFRAME\n`), luma, chroma]));
}

/** Chromium's switches for a camera that shows the video at `path`, allowed without a prompt. */
export const fakeCameraArgs = (path: string) => [
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  `--use-file-for-fake-video-capture=${path}`,
];

/**
 * A Barcode Detection API for Chromium on Linux, which has none (Android,
 * macOS and ChromeOS do): the page's own calls, decoded by jsQR from the
 * video frames. Only the detector stands in; camera, video and the app's
 * scanning code are the real ones.
 */
export function barcodeDetectorScript(): string {
  const jsQr = readFileSync(createRequire(import.meta.url).resolve('jsqr/dist/jsQR.js'), 'utf8');
  const detector = `
    window.BarcodeDetector = class BarcodeDetector {
      static async getSupportedFormats() { return ['qr_code']; }
      async detect(video) {
        const width = video.videoWidth, height = video.videoHeight;
        if (!width || !height) return [];
        const canvas = new OffscreenCanvas(width, height);
        const context = canvas.getContext('2d');
        context.drawImage(video, 0, 0);
        const found = jsQR(context.getImageData(0, 0, width, height).data, width, height);
        return found ? [{ rawValue: found.data, format: 'qr_code' }] : [];
      }
    };`;
  return `${jsQr}\n${detector}`;
}
