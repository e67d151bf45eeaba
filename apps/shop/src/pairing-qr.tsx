import { encode } from 'uqr';

/**
 * A QR code of `text` as an SVG: one path of dark modules on a light square
 * with a quiet zone, so any camera reads it, at any size. Screen readers
 * hear `label` instead.
 */
export function PairingQr({ text, label }: { text: string; label: string }) {
  const { size, data } = encode(text, { ecc: 'M', border: 4 });
  const modules = data.flatMap((row, y) => row.flatMap((dark, x) => (dark ? [`M${x} ${y}h1v1h-1z`] : [])));
  return (
    <svg class="pairing-qr" role="img" aria-label={label} viewBox={`0 0 ${size} ${size}`} shape-rendering="crispEdges">
      <rect width={size} height={size} fill="#fff" />
      <path d={modules.join('')} fill="#000" />
    </svg>
  );
}
