import { z } from 'zod';
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

/** RxDB's JSON schema of a collection, derived from its zod schema (the one source of truth). */
export function rxSchemaOf(name: CollectionName): DerivedRxSchema {
  const spec = collections[name];
  const json = z.toJSONSchema(spec.schema, { target: 'draft-07', io: 'input' }) as {
    properties: Record<string, unknown>;
    required?: string[];
  };
  return {
    title: name,
    version: schemaVersions[name],
    primaryKey: spec.primaryKey,
    type: 'object',
    properties: json.properties,
    required: json.required ?? [],
    additionalProperties: false,
  };
}
