import { createHash } from 'node:crypto';

export type Image = { hash: string; svg: string };

const palette = ['#2b5f8a', '#7a4b2a', '#3d7a4f', '#8a2b4f', '#5f4b8a', '#8a6d2b'];

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A generated SVG label for a catalog item, addressed by the SHA-256 of its bytes. */
export function catalogImage(name: string, kind: 'coffee' | 'accessory'): Image {
  const shade = palette[createHash('sha256').update(name).digest()[0]! % palette.length];
  const initials = name
    .split(/\s+/)
    .slice(0, 2)
    .map((word) => word[0])
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 240 240" role="img" aria-label="${escapeXml(name)}">
<rect width="240" height="240" rx="24" fill="${shade}"/>
<circle cx="120" cy="100" r="${kind === 'coffee' ? 56 : 44}" fill="#fff" fill-opacity="0.18"/>
<text x="120" y="120" font-family="sans-serif" font-size="56" fill="#fff" text-anchor="middle">${escapeXml(initials)}</text>
<text x="120" y="200" font-family="sans-serif" font-size="16" fill="#fff" text-anchor="middle">${escapeXml(name)}</text>
</svg>`;
  return { hash: createHash('sha256').update(svg).digest('hex'), svg };
}
