import { z } from 'zod';
import type { CollectionSpec } from './app-definition.ts';
import { collections, type CollectionName } from './registry.ts';
import { schemaVersions } from './schema-versions.ts';

/** The subset of RxDB's `RxJsonSchema` we produce; structurally assignable to it. */
export type DerivedRxSchema = {
  title: string;
  version: number;
  primaryKey: string;
  type: 'object';
  properties: Record<string, unknown>;
  required: string[];
  additionalProperties: false;
  indexes?: string[][];
};

/** RxDB's JSON schema of the shop's collection `name`, at its current version. */
export function rxSchemaOf(name: CollectionName): DerivedRxSchema {
  return rxSchemaFor(collections[name], schemaVersions[name]);
}

/** RxDB's JSON schema of any app's collection at schema `version`, derived from its zod schema (the one source of truth). */
export function rxSchemaFor(spec: Pick<CollectionSpec, 'name' | 'schema' | 'primaryKey'>, version: number): DerivedRxSchema {
  const json = z.toJSONSchema(spec.schema, { target: 'draft-07', io: 'input' }) as {
    properties: Record<string, unknown>;
    required?: string[];
  };
  return {
    title: spec.name,
    version,
    primaryKey: spec.primaryKey,
    type: 'object',
    properties: json.properties,
    required: json.required ?? [],
    additionalProperties: false,
  };
}
