import type { CatalogItem } from '@pourover/schemas';
import { catalogImage } from '../images.ts';
import { stableId } from '../stable-id.ts';

type Entry = [name: string, kind: CatalogItem['kind'], priceCents: number, description: string];

const entries: Entry[] = [
  ['Hayes Valley Espresso', 'coffee', 2200, 'Dark chocolate, molasses and a long sweet finish.'],
  ['Bella Donovan', 'coffee', 2000, 'The wild blueberry and chocolate blend that started it all.'],
  ['Three Africas', 'coffee', 2100, 'Bright stone fruit over a round, syrupy body.'],
  ['Giant Steps', 'coffee', 2100, 'Cocoa, toasted marshmallow and graham cracker.'],
  ['Ethiopia Yirgacheffe', 'coffee', 2400, 'Jasmine, bergamot and lemon curd. Light roast.'],
  ['Colombia Huila', 'coffee', 2300, 'Red apple, panela and milk chocolate.'],
  ['Kenya Nyeri', 'coffee', 2600, 'Blackcurrant, grapefruit and a winey acidity.'],
  ['Decaf Noir', 'coffee', 1900, 'Swiss-water decaf with baking spice and cocoa.'],
  ['Cold Brew Pack', 'coffee', 1600, 'Four coarse-ground filter packs for overnight cold brew.'],
  ['Pour-over Kettle', 'accessory', 8500, 'Gooseneck kettle for a slow, even pour.'],
  ['Ceramic Dripper', 'accessory', 3000, 'Single-cup porcelain dripper with spiral ribs.'],
  ['Paper Filters (100)', 'accessory', 900, 'Unbleached filters sized for the ceramic dripper.'],
  ['Burr Grinder', 'accessory', 17500, 'Conical burrs, 40 grind settings, quiet motor.'],
  ['Enamel Mug', 'accessory', 1800, 'Twelve-ounce camp mug in Bottle Blue enamel.'],
];

/** The demo store's catalog: fourteen coffees and accessories, each with a generated image. */
export function demoCatalog(): CatalogItem[] {
  return entries.map(([name, kind, priceCents, description]) => ({
    id: stableId(`catalog:${name}`),
    name,
    description,
    kind,
    priceCents,
    image: catalogImage(name, kind).hash,
    available: true,
  }));
}


/** The generated images of the demo catalog, for the server to serve by hash. */
export function demoCatalogImages() {
  return entries.map(([name, kind]) => catalogImage(name, kind));
}
