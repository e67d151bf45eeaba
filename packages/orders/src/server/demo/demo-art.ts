/**
 * Drawings of the demo catalog's products, as SVG: a bag of beans per coffee
 * (its label in the coffee's colours), a box for the cold-brew packs, and
 * each brewing tool. Rendered to WebP photos by `demo-images.ts`. No text,
 * so they look the same whatever fonts the machine has.
 */

export type Drawing = 'bag' | 'box' | 'kettle' | 'dripper' | 'filters' | 'grinder' | 'mug';

const SIDE = 480;

function backdrop(inner: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${SIDE} ${SIDE}" width="${SIDE}" height="${SIDE}">
<defs>
<radialGradient id="bg" cx="50%" cy="38%" r="75%"><stop offset="0" stop-color="#faf6f0"/><stop offset="1" stop-color="#e3d7c7"/></radialGradient>
<radialGradient id="shadow" cx="50%" cy="50%" r="50%"><stop offset="0" stop-color="#3b2a1a" stop-opacity="0.38"/><stop offset="1" stop-color="#3b2a1a" stop-opacity="0"/></radialGradient>
<linearGradient id="steel" x1="0" x2="1"><stop offset="0" stop-color="#7d858e"/><stop offset="0.35" stop-color="#eef1f4"/><stop offset="0.6" stop-color="#b9c0c7"/><stop offset="1" stop-color="#6c747c"/></linearGradient>
<linearGradient id="porcelain" x1="0" x2="1"><stop offset="0" stop-color="#cfd3d6"/><stop offset="0.4" stop-color="#ffffff"/><stop offset="1" stop-color="#bfc4c8"/></linearGradient>
<linearGradient id="kraft" x1="0" x2="1"><stop offset="0" stop-color="#8e6a43"/><stop offset="0.3" stop-color="#c8a476"/><stop offset="0.7" stop-color="#b8935f"/><stop offset="1" stop-color="#7f5d3a"/></linearGradient>
<linearGradient id="matte" x1="0" x2="1"><stop offset="0" stop-color="#1d2024"/><stop offset="0.4" stop-color="#4a4f56"/><stop offset="1" stop-color="#15181b"/></linearGradient>
<linearGradient id="enamel" x1="0" x2="1"><stop offset="0" stop-color="#183e63"/><stop offset="0.4" stop-color="#3f7fb8"/><stop offset="1" stop-color="#14324f"/></linearGradient>
<radialGradient id="bean" cx="40%" cy="35%" r="70%"><stop offset="0" stop-color="#7a4a28"/><stop offset="1" stop-color="#2e170a"/></radialGradient>
</defs>
<rect width="${SIDE}" height="${SIDE}" fill="url(#bg)"/>
<ellipse cx="240" cy="412" rx="170" ry="26" fill="url(#shadow)"/>
${inner}
</svg>`;
}

const bean = (x: number, y: number, turn: number) =>
  `<g transform="translate(${x} ${y}) rotate(${turn})"><ellipse rx="17" ry="12" fill="url(#bean)"/><path d="M-13 0 C-5 -5 5 5 13 0" stroke="#1c0d05" stroke-width="2.5" fill="none"/></g>`;

/** A standing pouch of beans with a label in `label` and `accent`, and a few beans before it. */
function bag(label: string, accent: string): string {
  return backdrop(`<path d="M150 112 L330 112 L346 396 Q240 414 134 396 Z" fill="url(#kraft)"/>
<rect x="146" y="86" width="188" height="34" rx="4" fill="#7a5837"/>
${Array.from({ length: 23 }, (_, i) => `<rect x="${150 + i * 8}" y="88" width="3" height="30" fill="#5e4329" opacity="0.6"/>`).join('')}
<circle cx="240" cy="146" r="9" fill="#5e4329" opacity="0.75"/><circle cx="240" cy="146" r="4" fill="#3e2b19"/>
<rect x="168" y="186" width="144" height="150" rx="10" fill="${label}"/>
<rect x="168" y="250" width="144" height="30" fill="${accent}"/>
<circle cx="240" cy="222" r="22" fill="none" stroke="#fff" stroke-width="4" opacity="0.9"/>
<path d="M229 222 Q240 206 251 222 Q240 238 229 222" fill="#fff" opacity="0.9"/>
<rect x="190" y="296" width="100" height="7" rx="3" fill="#fff" opacity="0.85"/>
<rect x="206" y="312" width="68" height="6" rx="3" fill="#fff" opacity="0.6"/>
${bean(118, 404, -20)}${bean(150, 418, 25)}${bean(336, 414, 10)}${bean(366, 400, -35)}`);
}

function box(label: string): string {
  return backdrop(`<path d="M120 170 L240 120 L360 170 L240 220 Z" fill="#e9dcc6"/>
<path d="M120 170 L240 220 L240 400 L120 350 Z" fill="#cdb894"/>
<path d="M240 220 L360 170 L360 350 L240 400 Z" fill="#b19b74"/>
<path d="M140 215 L230 252 L230 330 L140 293 Z" fill="${label}"/>
<path d="M150 262 L220 291" stroke="#fff" stroke-width="6" opacity="0.85"/>
<path d="M250 250 L350 208 L350 250 L250 292 Z" fill="${label}" opacity="0.8"/>
<circle cx="300" cy="300" r="22" fill="#fff" opacity="0.35"/>`);
}

const kettle = () =>
  backdrop(`<path d="M150 380 L170 210 Q240 180 310 210 L330 380 Q240 398 150 380 Z" fill="url(#steel)"/>
<ellipse cx="240" cy="205" rx="72" ry="16" fill="#d6dbe0" stroke="#8a929a" stroke-width="3"/>
<rect x="226" y="168" width="28" height="30" rx="10" fill="#1f2226"/>
<path d="M165 330 C100 320 96 210 70 150" stroke="url(#steel)" stroke-width="16" fill="none" stroke-linecap="round"/>
<path d="M70 150 L52 132" stroke="#8a929a" stroke-width="12" stroke-linecap="round"/>
<path d="M318 226 C392 226 398 352 326 356" stroke="#1f2226" stroke-width="20" fill="none" stroke-linecap="round"/>
<path d="M190 230 L184 360" stroke="#fff" stroke-width="8" opacity="0.5" stroke-linecap="round"/>`);

const dripper = () =>
  backdrop(`<rect x="150" y="330" width="180" height="72" rx="14" fill="#cfe0ea" opacity="0.7" stroke="#9fb6c4" stroke-width="3"/>
<path d="M150 350 Q240 372 330 350" stroke="#6b4a2f" stroke-width="26" opacity="0.55" fill="none"/>
<ellipse cx="240" cy="318" rx="86" ry="14" fill="url(#porcelain)" stroke="#b4babf" stroke-width="2"/>
<path d="M120 150 L360 150 L272 314 L208 314 Z" fill="url(#porcelain)" stroke="#b4babf" stroke-width="3"/>
<ellipse cx="240" cy="150" rx="120" ry="22" fill="#f4f4f2" stroke="#b4babf" stroke-width="3"/>
<ellipse cx="240" cy="152" rx="102" ry="15" fill="#5a3a22"/>
${[-60, -30, 0, 30, 60].map((dx) => `<path d="M${240 + dx * 1.5} 176 L${240 + dx * 0.45} 306" stroke="#c9ced2" stroke-width="3"/>`).join('')}`);

const filters = () =>
  backdrop(
    [0, 1, 2, 3]
      .map((i) => {
        const x = 130 + i * 26;
        const y = 140 + i * 22;
        return `<path d="M${x} ${y} L${x + 190} ${y} L${x + 130} ${y + 220} L${x + 60} ${y + 220} Z" fill="${i % 2 ? '#e6d3b3' : '#dcc59f'}" stroke="#b89b6e" stroke-width="2"/>
<path d="M${x + 8} ${y + 14} L${x + 182} ${y + 14}" stroke="#c7ab7c" stroke-width="3" stroke-dasharray="6 5"/>`;
      })
      .join(''),
  );

const grinder = () =>
  backdrop(`<path d="M182 120 L298 120 L282 196 L198 196 Z" fill="#d8e3ea" opacity="0.75" stroke="#8fa3b0" stroke-width="3"/>
<path d="M190 150 L290 150 L284 190 L196 190 Z" fill="#5a3a22" opacity="0.9"/>
<rect x="176" y="196" width="128" height="196" rx="18" fill="url(#matte)"/>
<rect x="176" y="300" width="128" height="14" fill="#0d0f11"/>
<circle cx="240" cy="250" r="20" fill="#2c3035" stroke="#6d737a" stroke-width="4"/>
<path d="M240 120 L240 92 L330 82" stroke="#262a2e" stroke-width="10" stroke-linecap="round" fill="none"/>
<circle cx="334" cy="82" r="15" fill="#8a5a34"/>`);

const mug = () =>
  backdrop(`<path d="M318 210 C392 210 392 330 318 330" stroke="url(#enamel)" stroke-width="24" fill="none"/>
<path d="M150 180 L330 180 L322 386 Q240 400 158 386 Z" fill="url(#enamel)"/>
<ellipse cx="240" cy="180" rx="90" ry="18" fill="#f5f3ee" stroke="#1e4a73" stroke-width="5"/>
<ellipse cx="240" cy="184" rx="76" ry="12" fill="#4a2c17"/>
<path d="M156 372 Q240 394 324 372" stroke="#f5f3ee" stroke-width="6" fill="none"/>
${[10, 34, 58].map((dx) => `<path d="M${196 + dx} 150 C${186 + dx} 130 ${206 + dx} 112 ${196 + dx} 92" stroke="#fff" stroke-width="6" opacity="0.7" fill="none" stroke-linecap="round"/>`).join('')}
${[
  [190, 250],
  [270, 300],
  [220, 340],
  [292, 232],
]
  .map(([x, y]) => `<circle cx="${x}" cy="${y}" r="3" fill="#fff" opacity="0.55"/>`)
  .join('')}`);

/** The SVG of one product drawing, in the given label colours (bags and boxes only use them). */
export function drawProduct(drawing: Drawing, colours: { label: string; accent: string }): string {
  switch (drawing) {
    case 'bag':
      return bag(colours.label, colours.accent);
    case 'box':
      return box(colours.label);
    case 'kettle':
      return kettle();
    case 'dripper':
      return dripper();
    case 'filters':
      return filters();
    case 'grinder':
      return grinder();
    case 'mug':
      return mug();
  }
}
