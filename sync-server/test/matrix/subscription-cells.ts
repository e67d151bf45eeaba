/**
 * The matrix's subscription cells (`stream`, `watch`): a refused
 * subscription delivers no data and writes nothing; an allowed one delivers
 * D's change; an own-replica one delivers changes in the caller's replica
 * and never D's.
 */
import { httpStatusOf, type ErrorCode, type WireDocument } from '@pourover/protocol';
import { expect } from 'vitest';
import { errorOf, internalsIn, streamErrors, type SseEvent } from '../support/test-server.ts';
import { isData, LiveStream } from '../probe/live-stream.ts';
import { freshDoc } from './documents.ts';
import { D, homeOf, ownReplicaOf, type Cell } from './expected-outcomes.ts';
import { json, type MatrixProbe } from './matrix-probe.ts';

type StreamEvent = { kind: string; collection?: string; documents?: { id: string }[] };
type WatchEvent = { kind: string; documents?: { replica: string; document: WireDocument }[] };

/** The typed errors of a refused subscription, whether refused before the stream (a JSON answer) or in it. */
function subscriptionErrors(live: LiveStream, events: SseEvent[]) {
  if (live.status !== 200) {
    let body: unknown;
    try {
      body = JSON.parse(live.text);
    } catch {
      body = undefined;
    }
    return [errorOf({ status: live.status, headers: new Headers(), text: live.text, body })];
  }
  return streamErrors(events);
}

async function expectSubscriptionRefused(live: LiveStream, outcome: 'F' | 'U') {
  const code: ErrorCode = outcome === 'F' ? 'FORBIDDEN' : 'UNAUTHENTICATED';
  await live.waitFor((events) => streamErrors(events).length > 0, 3_000);
  const events = live.events;
  expect(events.filter(isData), 'no data').toEqual([]);
  expect(subscriptionErrors(live, events)).toMatchObject([{ code, httpStatus: httpStatusOf[code] }]);
  expect(internalsIn(events.map((event) => event.data))).toEqual([]);
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));
/** How long a stream that must deliver nothing is watched after the writes it must not see (no later event can mark their arrival). */
const NOTHING_WAIT_MS = 300;

export async function stream(probe: MatrixProbe, cell: Cell) {
  const { server, tokens, place, snapshot } = probe;
  const { collection, outcome, identity } = cell;
  const before = await snapshot();
  const live = new LiveStream(`${server.url}/trpc/sync.stream?input=${json({})}`, tokens[identity]);
  try {
    if (outcome === 'F' || outcome === 'U') {
      await expectSubscriptionRefused(live, outcome);
      expect(await snapshot()).toEqual(before);
      return;
    }
    expect(await live.waitFor((events) => events.some(isData)), 'a ready event').toBe(true);
    expect(live.data[0]).toEqual({ kind: 'ready', epoch: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(await snapshot(), 'opening a stream writes nothing').toEqual(before);
    const delivered = (id: string) => () =>
      (live.data as StreamEvent[]).some(
        (event) => event.kind === 'changes' && event.collection === collection && event.documents?.some((doc) => doc.id === id),
      );

    const victim = freshDoc(collection);
    await place(homeOf(collection, D), collection, victim);
    if (outcome === 'N') {
      // D's change (or the store's) never reaches the stream: it stays at `ready`.
      await new Promise((resolve) => setTimeout(resolve, NOTHING_WAIT_MS));
      expect(live.data, 'nothing but ready').toEqual([{ kind: 'ready', epoch: expect.any(String) }]);
    } else if (outcome === 'A') {
      expect(await live.waitFor(delivered(victim.id)), 'the change arrives').toBe(true);
    } else {
      // A change in the caller's own replica, after D's: once it arrives, D's would have too.
      const own = ownReplicaOf[identity] as string;
      const sentinel = freshDoc(collection);
      await place(own, collection, sentinel);
      expect(await live.waitFor(delivered(sentinel.id)), 'the change in its own replica arrives').toBe(true);
      await settle();
      expect(delivered(victim.id)(), 'D’s change never arrives').toBe(false);
    }
    expect(live.events.filter((event) => event.event === 'serialized-error')).toEqual([]);
  } finally {
    await live.close();
  }
}

export async function watch(probe: MatrixProbe, cell: Cell) {
  const { server, tokens, place, seeded, snapshot } = probe;
  const { collection, outcome, identity } = cell;
  const victim = await seeded(collection);
  const victimHome = homeOf(collection, D);
  const before = await snapshot();
  const live = new LiveStream(`${server.url}/trpc/sync.watch?input=${json({ collection })}`, tokens[identity]);
  try {
    if (outcome === 'F' || outcome === 'U') {
      await expectSubscriptionRefused(live, outcome);
      expect(await snapshot()).toEqual(before);
      return;
    }
    const events = () => live.data as WatchEvent[];
    const watched = () => events().flatMap((event) => event.documents ?? []);
    const seen = (replica: string, id: string) => () => watched().some((entry) => entry.replica === replica && entry.document.id === id);
    expect(await live.waitFor(() => events().some((event) => event.kind === 'initialized')), 'the initial state').toBe(true);
    expect(await snapshot(), 'opening a watch writes nothing').toEqual(before);

    const second = freshDoc(collection);
    await place(victimHome, collection, second);
    if (outcome === 'A') {
      expect(watched()).toContainEqual({ replica: victimHome, document: victim });
      expect(await live.waitFor(seen(victimHome, second.id)), 'the change arrives').toBe(true);
    } else {
      const own = ownReplicaOf[identity] as string;
      const sentinel = freshDoc(collection);
      await place(own, collection, sentinel);
      expect(await live.waitFor(seen(own, sentinel.id)), 'the change in its own replica arrives').toBe(true);
      await settle();
      expect(
        watched().filter((entry) => entry.replica !== own),
        'only its own replica',
      ).toEqual([]);
    }
    // A shopper's device never sees another replica's documents, but the store's own collections.
    const own = ownReplicaOf[identity] as string;
    if (identity !== 'storeOwner') expect(watched().filter((entry) => entry.replica !== homeOf(collection, own))).toEqual([]);
    expect(live.events.filter((event) => event.event === 'serialized-error')).toEqual([]);
  } finally {
    await live.close();
  }
}
