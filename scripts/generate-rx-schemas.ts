import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { collectionNames, rxSchemaOf } from '@pourover/schemas';

/**
 * Writes `schemas/src/stored-rx-schemas.ts`: each collection's RxDB schema,
 * derived from its zod schema here once instead of on every device at every
 * page load (zod's `toJSONSchema` took a quarter of the signed-in shop's
 * longest task). `stored-rx-schemas.test.ts` fails until this is run again
 * after a schema changes.
 */
const target = fileURLToPath(new URL('../schemas/src/stored-rx-schemas.ts', import.meta.url));
const schemas = Object.fromEntries(collectionNames.map((name) => [name, rxSchemaOf(name)]));
const source = `// Written by \`npm run generate:rx-schemas\` (scripts/generate-rx-schemas.ts) from the zod schemas; do not edit.
import type { CollectionName } from './registry.ts';
import type { DerivedRxSchema } from './rx-schema.ts';

/** Each collection's RxDB schema at its current version, as \`rxSchemaOf\` derives it: devices open their database with these. */
export const storedRxSchemas: { readonly [K in CollectionName]: DerivedRxSchema } = ${JSON.stringify(schemas, null, 2)};
`;
writeFileSync(target, await format(source, { ...(await resolveConfig(target)), filepath: target }));
console.log(`wrote ${target}`);
