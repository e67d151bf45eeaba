/**
 * Helpers for the sync server's tests: a real server on a temporary data
 * folder, blessings, and plain `fetch` calls to its endpoints.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  derivedFields,
  editDraft,
  emptyDraftUpdate,
  order,
  shopperReplica,
  STORE,
  userProfile,
  type DraftEdit,
  type Order,
  type UserProfile,
} from '@pourover/schemas';
import type { WireDocument } from '@pourover/protocol';
import { createTRPCClient, httpLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import { EventSource } from 'eventsource';
import type { AppRouter } from '../../src/trpc/app-router.ts';
import { signBlessing } from '../../src/auth/blessing-token.ts';
import type { ServerKey } from '../../src/auth/server-key.ts';
import { startServer, type RunningServer, type ServerOptions } from '../../src/server/start-server.ts';
import type { Store } from '../../src/store/store.ts';
import { DEMO_SHOPPER_ID } from '@pourover/orders/server';
import { pouroverApp } from '../../src/app/pourover-app.ts';

export const DEMO_REPLICA = shopperReplica(DEMO_SHOPPER_ID);

/** A lower-case v4-shaped UUID numbered `n`, valid as a document id. */
export const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/** A valid `user` document (checked against the schema), as it travels. */
export function userDoc(n: number, fields: Partial<UserProfile> = {}, deleted = false): WireDocument {
  const profile = userProfile.parse({
    id: uuid(n),
    name: `Shopper ${n}`,
    email: `shopper${n}@example.com`,
    address: `${n} Main St`,
    paymentToken: `tok_${n}`,
    ...fields,
  });
  return { ...profile, _deleted: deleted };
}

/** A valid empty order document (a draft unless `fields` say otherwise), as it travels. */
export function orderDoc(n: number, fields: Partial<Order> = {}): WireDocument {
  const fieldsOf = order.parse({
    id: uuid(n),
    status: 'draft',
    lines: [],
    itemCount: 0,
    totalCents: 0,
    note: '',
    slotId: null,
    ydoc: 'AAA=',
    createdTime: '2026-11-23T10:00:00.000Z',
    ...fields,
  });
  return { ...fieldsOf, _deleted: false };
}

/**
 * A draft the order rules place: one of the store's first available item,
 * the first slot still open at `now`, priced from the catalog, with a
 * payment method; `edits` go into its Yjs document after those.
 */
export async function placeableDraft(store: Store, n: number, options: { now?: Date; edits?: DraftEdit[] } = {}): Promise<WireDocument> {
  const now = (options.now ?? new Date()).toISOString();
  const items = (await store.pull(STORE, 'catalog', 0, 1_000))
    .map((row) => row.document)
    .filter((item) => !item._deleted && item['available'] === true);
  const slots = (await store.pull(STORE, 'availability', 0, 1_000))
    .map((row) => row.document)
    .filter((slot) => !slot._deleted && String(slot['cutoff']) > now);
  const [item] = items;
  const [slot] = slots;
  if (!item || !slot) throw new Error('the store holds no available item or open slot: seed it first');
  const ydoc = editDraft(emptyDraftUpdate(), [
    { kind: 'setCount', itemId: item.id, count: 1 },
    { kind: 'setSlot', slotId: slot.id },
    ...(options.edits ?? []),
  ]);
  return orderDoc(n, {
    ydoc,
    ...derivedFields(ydoc, (id) => (id === item.id ? Number(item['priceCents']) : undefined)),
    paymentToken: 'tok_test_visa',
  });
}

export type TestServer = RunningServer & { dir: string; stop(): Promise<void> };

/** A seeded server on 127.0.0.1, an ephemeral port and a fresh temporary folder, running the shop unless told another app. */
export async function startTestServer(options: Partial<Omit<ServerOptions, 'dataDir'>> = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-'));
  const server = await startServer({ app: pouroverApp, seed: true, port: 0, ...options, dataDir: dir });
  return {
    ...server,
    dir,
    async stop() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A temporary folder removed by the returned function. */
export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A typed client of a server at `url` holding `token` (none if empty): requests carry it in their
 * header, and each live stream opens with a stream ticket fetched with it, as a device's client does.
 */
export function trpcClient(url: string, token = '') {
  const requests = httpLink({ url: `${url}/trpc`, headers: () => (token ? { authorization: `Bearer ${token}` } : {}) });
  const tickets = createTRPCClient<AppRouter>({ links: [requests] });
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({
          url: `${url}/trpc`,
          connectionParams: async () => ({ ticket: (await tickets.auth.streamTicket.mutate()).ticket }),
          EventSource,
        }),
        false: requests,
      }),
    ],
  });
}

/** A blessing token for a shopper's device, signed by `key`. */
export function deviceToken(key: ServerKey, shopperId = DEMO_SHOPPER_ID, device = 'phone'): string {
  return signBlessing(key, { name: `${shopperReplica(shopperId)}:${device}`, ttlSeconds: 3600 });
}

/** A blessing token for the store itself. */
export function storeToken(key: ServerKey): string {
  return signBlessing(key, { name: STORE, ttlSeconds: 3600 });
}

/** What an endpoint answered: status, headers, raw text and the parsed JSON (undefined if not JSON). */
export type Answer = { status: number; headers: Headers; text: string; body: unknown };

export type CallOptions = { token?: string | undefined; body?: string; headers?: Record<string, string> };

export async function call(server: RunningServer, method: 'GET' | 'POST', path: string, options: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  const init: RequestInit = { method, headers };
  if (options.body !== undefined) init.body = options.body;
  const response = await fetch(`${server.url}${path}`, init);
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, text, body };
}

/** `sync.pull` with the given raw (possibly malformed) JSON as its input. */
export function pullRaw(server: RunningServer, rawInput: string, token?: string): Promise<Answer> {
  return call(server, 'GET', `/trpc/sync.pull?input=${encodeURIComponent(rawInput)}`, { token });
}

export function pull(server: RunningServer, input: unknown, token?: string): Promise<Answer> {
  return pullRaw(server, JSON.stringify(input), token);
}

export type Mutation = 'sync.push' | 'sync.batch' | 'auth.devSignIn';

/** A mutation with the given raw body text. */
export function postRaw(server: RunningServer, procedure: Mutation, body: string, token?: string, contentType = 'application/json') {
  return call(server, 'POST', `/trpc/${procedure}`, { token, body, headers: { 'content-type': contentType } });
}

export function post(server: RunningServer, procedure: Mutation, input: unknown, token?: string): Promise<Answer> {
  return postRaw(server, procedure, JSON.stringify(input), token);
}

/** The device token the dev sign-in hands out. */
export async function signIn(server: RunningServer, device = 'phone'): Promise<string> {
  return resultOf<{ token: string }>(await post(server, 'auth.devSignIn', { device })).token;
}

/** The `result.data` of a successful answer; throws with the answer otherwise. */
export function resultOf<T>(answer: Answer): T {
  const body = answer.body as { result?: { data?: T } } | undefined;
  if (answer.status !== 200 || body?.result?.data === undefined) {
    throw new Error(`expected a result, got ${answer.status}: ${answer.text.slice(0, 500)}`);
  }
  return body.result.data;
}

export type ErrorShape = { message: string; code: string; httpStatus: number };

/** The typed error of an answer (`error.data`), or undefined if it carries none. */
export function errorOf(answer: Answer): ErrorShape | undefined {
  const error = (answer.body as { error?: { message?: unknown; data?: { code?: unknown; httpStatus?: unknown } } } | undefined)?.error;
  if (typeof error?.message !== 'string' || typeof error.data?.code !== 'string' || typeof error.data.httpStatus !== 'number') {
    return undefined;
  }
  return { message: error.message, code: error.data.code, httpStatus: error.data.httpStatus };
}

/** The change-log heads of the demo shopper's replica and the store's. */
export async function heads(server: RunningServer): Promise<{ shopper: number; store: number }> {
  return { shopper: await server.store.head(DEMO_REPLICA), store: await server.store.head(STORE) };
}

const STACK_FRAME = /^\s*at .*:\d+:\d+\)?\s*$/m;
const SOURCE_PATH = /node_modules|file:\/\/|\.[cm]?[jt]s:\d+/;

/** Anything in a parsed body that reveals server internals: a `stack` key, a stack frame or a source path. */
export function internalsIn(value: unknown, path = '$'): string[] {
  if (typeof value === 'string') {
    return STACK_FRAME.test(value) || SOURCE_PATH.test(value) ? [`${path}: ${value.slice(0, 200)}`] : [];
  }
  if (Array.isArray(value)) return value.flatMap((item, index) => internalsIn(item, `${path}[${index}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => [
    ...(key === 'stack' ? [`${path}.stack`] : []),
    ...internalsIn(inner, `${path}.${key}`),
  ]);
}

/** The path of a `sync.stream` subscription with the given input. */
export const streamPath = (input: unknown = {}) => `/trpc/sync.stream?input=${encodeURIComponent(JSON.stringify(input))}`;

/** The typed errors a stream sent as `serialized-error` events. */
export function streamErrors(events: SseEvent[]): ErrorShape[] {
  return events
    .filter((event) => event.event === 'serialized-error')
    .flatMap((event) => errorOf({ status: 0, headers: new Headers(), text: event.data, body: { error: JSON.parse(event.data) } }) ?? []);
}

/** The data a stream delivered: its events with no name (tRPC's tracked data). */
export const streamData = (events: SseEvent[]) => events.filter((event) => event.event === undefined);

export type SseEvent = { event: string | undefined; data: string; id: string | undefined };
export type SseAnswer = { status: number; contentType: string | null; events: SseEvent[]; text: string };

/**
 * Opens `path` as an event stream and reads at most `maxBytes` or for at
 * most `timeoutMs`, stopping early once `until` holds; then aborts.
 */
export async function readEventStream(
  server: RunningServer,
  path: string,
  options: { token?: string; maxBytes?: number; timeoutMs?: number; until?: (events: SseEvent[]) => boolean } = {},
): Promise<SseAnswer> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 2_000);
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  let text = '';
  let status = 0;
  let contentType: string | null = null;
  try {
    const response = await fetch(`${server.url}${path}`, { headers, signal: controller.signal });
    status = response.status;
    contentType = response.headers.get('content-type');
    const reader = response.body?.getReader();
    const decoder = new TextDecoder();
    while (reader && text.length < (options.maxBytes ?? 64 * 1024)) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      if (options.until?.(parseEvents(text))) break;
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return { status, contentType, events: parseEvents(text), text };
}

/** The complete events of an SSE text (an unterminated last event is left out). */
export function parseEvents(text: string): SseEvent[] {
  const blocks = text.replace(/\r\n/g, '\n').split('\n\n');
  blocks.pop();
  return blocks.flatMap((block) => {
    let event: string | undefined;
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      const [field = '', ...rest] = line.split(':');
      const value = rest.join(':').replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id') id = value;
    }
    return data.length === 0 && event === undefined ? [] : [{ event, data: data.join('\n'), id }];
  });
}
