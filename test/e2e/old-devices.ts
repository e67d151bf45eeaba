import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { collectionNames, rxSchemaOf, schemaVersions, type CollectionName } from '@pourover/schemas';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** Where the shop's release fixtures live. */
const fixtureDir = fileURLToPath(new URL('./fixtures/releases/', import.meta.url));
type Schema = Record<string, unknown> & { version: number };

/** A release's schemas with at least one collection older than today's: a device database the current app must migrate. */
export type PastRelease = { file: string; schemas: Record<CollectionName, Schema>; past: CollectionName[] };

/**
 * Every past release's schemas, oldest first, from `schemas-vN.json`
 * (every collection's schema as the app released it when its newest
 * version was N): each collection at the version it had then, or today's
 * where that is the same version. A release is past once a collection has
 * a newer version in the code, so a version the app adds needs no change
 * here; add the new release's file when it ships.
 */
export function pastReleases(): PastRelease[] {
  return readdirSync(fixtureDir)
    .filter((file) => /^schemas-v\d+\.json$/.test(file))
    .sort((a, b) => Number(/\d+/.exec(a)?.[0]) - Number(/\d+/.exec(b)?.[0]))
    .map((file) => {
      const released = JSON.parse(readFileSync(`${fixtureDir}${file}`, 'utf8')) as Partial<Record<CollectionName, Schema>>;
      // The collections that release's devices held: one the app added since is not in its database.
      const held = collectionNames.filter((name) => released[name] !== undefined);
      const past = held.filter((name) => (released[name]?.version ?? 0) < schemaVersions[name]);
      const schemas = Object.fromEntries(held.map((name) => [name, past.includes(name) ? released[name] : rxSchemaOf(name)])) as Record<
        CollectionName,
        Schema
      >;
      return { file, schemas, past };
    })
    .filter((release) => release.past.length > 0);
}

/** A document cut to what a schema of its collection allows (`additionalProperties: false`): what an older app could hold. */
export function fitToSchema(value: unknown, schema: Record<string, unknown>): unknown {
  if (Array.isArray(value)) {
    const items = schema['items'] as Record<string, unknown> | undefined;
    return items ? value.map((item) => fitToSchema(item, items)) : value;
  }
  const properties = schema['properties'] as Record<string, Record<string, unknown>> | undefined;
  if (value === null || typeof value !== 'object' || !properties) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key in properties || key === '_deleted')
      .map(([key, field]) => [key, properties[key] ? fitToSchema(field, properties[key]) : field]),
  );
}

/** Bundles the page script that writes an older app's database (fixtures/old-device) into `outDir/old-device.js`. */
export async function buildOldDeviceScript(outDir: string): Promise<string> {
  const vite = fileURLToPath(new URL('../../node_modules/vite/bin/vite.js', import.meta.url));
  const config = fileURLToPath(new URL('./fixtures/old-device/vite.config.ts', import.meta.url));
  await promisify(execFile)(process.execPath, [vite, 'build', '--config', config], {
    cwd: root,
    timeout: 120_000,
    env: { ...process.env, POUROVER_BUILD_OUT: outDir },
  });
  return readFileSync(`${outDir}/old-device.js`, 'utf8');
}
