/**
 * The server the authorization matrix runs against, with a token for each
 * identity, requests to it, and the store as a test sets it up and checks
 * it.
 */
import type { WireDocument } from '@pourover/protocol';
import { expect } from 'vitest';
import { call, type Answer } from '../support/test-server.ts';
import { snapshotOf, startProbeServer, type ProbeServer, type StoreSnapshot } from '../probe/probe-server.ts';
import { freshDoc } from './documents.ts';
import { D, homeOf, O, S, type Identity, type MatrixCollection } from './expected-outcomes.ts';
import { identityTokens } from './identity-tokens.ts';

/**
 * What the store holds: the heads of D, O and S as the store reports them,
 * and from the SQLite file every replica's head, the document rows and the
 * commit counter.
 */
export type MatrixSnapshot = { D: number; O: number; S: number; file: StoreSnapshot };

export type MatrixProbe = {
  server: ProbeServer;
  /** Each identity's token; `noCredentials` has none. */
  tokens: Partial<Record<Identity, string>>;
  post(procedure: string, input: unknown, token?: string): Promise<Answer>;
  query(procedure: string, input: unknown, token?: string): Promise<Answer>;
  /** Writes `document` straight into the store (the test's own setup, not a request under test). */
  place(replica: string, collection: MatrixCollection, document: WireDocument): Promise<void>;
  /** A new document of `collection` placed where D's lives (D, or S for the store's collections). */
  seeded(collection: MatrixCollection): Promise<WireDocument>;
  stored(replica: string, collection: MatrixCollection, id: string): ReturnType<ProbeServer['store']['get']>;
  snapshot(): Promise<MatrixSnapshot>;
};

/** A value as a URL's `input` parameter. */
export const json = (value: unknown) => encodeURIComponent(JSON.stringify(value));

/** Starts a probe server and signs in every identity. */
export async function startMatrixProbe(): Promise<MatrixProbe> {
  const server = await startProbeServer();
  const post = (procedure: string, input: unknown, token?: string): Promise<Answer> =>
    call(server, 'POST', `/trpc/${procedure}`, { token, headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) });
  const query = (procedure: string, input: unknown, token?: string) =>
    call(server, 'GET', `/trpc/${procedure}?input=${json(input)}`, { token });

  const place = async (replica: string, collection: MatrixCollection, document: WireDocument) => {
    const result = await server.store.commit(replica, [{ collection, document, expect: { kind: 'none' } }], 'all');
    expect(result.ok).toBe(true);
  };
  const seeded = async (collection: MatrixCollection): Promise<WireDocument> => {
    const document = freshDoc(collection);
    await place(homeOf(collection, D), collection, document);
    return document;
  };
  const stored = async (replica: string, collection: MatrixCollection, id: string) => server.store.get(replica, collection, id);
  const snapshot = async (): Promise<MatrixSnapshot> => ({
    D: await server.store.head(D),
    O: await server.store.head(O),
    S: await server.store.head(S),
    file: snapshotOf(server.db),
  });

  try {
    const tokens = await identityTokens(server, { post, query });
    return { server, tokens, post, query, place, seeded, stored, snapshot };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
