import type { CatalogItem } from '@pourover/schemas';
import { stableId } from '@pourover/sync-server/app';
import type { DemoPicture } from './demo-images.ts';

type Entry = [name: string, kind: CatalogItem['kind'], priceCents: number, description: string, picture: DemoPicture];

const bag = (label: string, accent: string): DemoPicture => ({ drawing: 'bag', label, accent });
const tool = (drawing: DemoPicture['drawing']): DemoPicture => ({ drawing, label: '', accent: '' });

const entries: Entry[] = [
  ['Hayes Valley Espresso', 'coffee', 2200, 'Dark chocolate, molasses and a long sweet finish.', bag('#3b2417', '#c8792b')],
  ['Bella Donovan', 'coffee', 2000, 'The wild blueberry and chocolate blend that started it all.', bag('#2b5f8a', '#f0a202')],
  ['Three Africas', 'coffee', 2100, 'Bright stone fruit over a round, syrupy body.', bag('#b5472f', '#f2c14e')],
  ['Giant Steps', 'coffee', 2100, 'Cocoa, toasted marshmallow and graham cracker.', bag('#1f1f2e', '#d9a441')],
  ['Ethiopia Yirgacheffe', 'coffee', 2400, 'Jasmine, bergamot and lemon curd. Light roast.', bag('#5b7f3a', '#f4e285')],
  ['Colombia Huila', 'coffee', 2300, 'Red apple, panela and milk chocolate.', bag('#a23b4a', '#f3d8a5')],
  ['Kenya Nyeri', 'coffee', 2600, 'Blackcurrant, grapefruit and a winey acidity.', bag('#5d3a7a', '#e88d67')],
  ['Decaf Noir', 'coffee', 1900, 'Swiss-water decaf with baking spice and cocoa.', bag('#2f3e46', '#84a98c')],
  [
    'Cold Brew Pack',
    'coffee',
    1600,
    'Four coarse-ground filter packs for overnight cold brew.',
    { drawing: 'box', label: '#2d6a4f', accent: '#ffffff' },
  ],
  ['Pour-over Kettle', 'accessory', 8500, 'Gooseneck kettle for a slow, even pour.', tool('kettle')],
  ['Ceramic Dripper', 'accessory', 3000, 'Single-cup porcelain dripper with spiral ribs.', tool('dripper')],
  ['Paper Filters (100)', 'accessory', 900, 'Unbleached filters sized for the ceramic dripper.', tool('filters')],
  ['Burr Grinder', 'accessory', 17500, 'Conical burrs, 40 grind settings, quiet motor.', tool('grinder')],
  ['Enamel Mug', 'accessory', 1800, 'Twelve-ounce camp mug in Bottle Blue enamel.', tool('mug')],
];

export type DemoItem = { id: string; entry: Omit<CatalogItem, 'image'>; picture: DemoPicture };

/** The demo store's catalog: nine coffees and five brewing tools, each with a picture drawn for it (`images/demo-art.ts`). */
export function demoCatalog(): DemoItem[] {
  return entries.map(([name, kind, priceCents, description, picture]) => {
    const id = stableId(`catalog:${name}`);
    return { id, entry: { id, name, description, kind, priceCents, available: true }, picture };
  });
}
