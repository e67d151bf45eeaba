import type { WireDocument } from '@pourover/protocol';
import { specOf, type ServerApp } from '../app/server-app.ts';

/**
 * A node's view of documents a newer release wrote. During a rolling upgrade
 * a node of the next release may store a document with a top-level field
 * this node's schema lacks (the next profile's `phone`, say). This node
 * serves such a document without those fields, to the apps of its own
 * release, which could not read them; and a push of it keeps them
 * (push.ts), so the newer release's writes survive an older app's edit.
 * A release therefore adds fields at the top level, optional, and never
 * renames or drops one (docs/operations.md).
 */
export type KnownFields = {
  /** The document with only the fields this node's schema names (the same object when it has no other). */
  known(document: WireDocument): WireDocument;
  /** The fields of `document` this node's schema does not name. */
  unknown(document: WireDocument): Record<string, unknown>;
};

const cache = new WeakMap<ServerApp, Map<string, KnownFields>>();

export function knownFields(app: ServerApp, collection: string): KnownFields {
  let byCollection = cache.get(app);
  if (!byCollection) cache.set(app, (byCollection = new Map()));
  const cached = byCollection.get(collection);
  if (cached) return cached;
  const names = new Set([...Object.keys(specOf(app, collection).schema.shape), '_deleted']);
  const fields: KnownFields = {
    known(document) {
      if (Object.keys(document).every((name) => names.has(name))) return document;
      return Object.fromEntries(Object.entries(document).filter(([name]) => names.has(name))) as WireDocument;
    },
    unknown: (document) => Object.fromEntries(Object.entries(document).filter(([name]) => !names.has(name))),
  };
  byCollection.set(collection, fields);
  return fields;
}
