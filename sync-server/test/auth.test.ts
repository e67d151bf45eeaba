import { STORE, type CollectionName } from '@pourover/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBlessing } from '../src/auth/blessing-token.ts';
import { createOwnerCode } from '../src/auth/owner-code.ts';
import { ephemeralServerKey } from '../src/auth/server-key.ts';
import { DEMO_SHOPPER_ID } from '@pourover/orders/server';
import {
  call,
  DEMO_REPLICA,
  deviceToken,
  errorOf,
  heads,
  orderDoc,
  pull,
  readEventStream,
  resultOf,
  storeToken,
  streamData,
  streamErrors,
  streamPath,
  startTestServer,
  userDoc,
  uuid,
  type Answer,
  type TestServer,
} from './support/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const DEMO_DEVICE = `${STORE}:users:${DEMO_SHOPPER_ID}:phone`;
const OTHER_SHOPPER = uuid(0xbeef);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const bless = (name: string, ttlSeconds = 3600, now?: Date) => signBlessing(server.key, { name, ttlSeconds, ...(now ? { now } : {}) });

/** A valid device token whose claims are rewritten to name the store, keeping the old signature. */
function tamperedToken(): string {
  const [, signature] = bless(DEMO_DEVICE).split('.');
  const iat = Math.floor(Date.now() / 1000);
  return `${b64({ v: 1, sub: STORE, iat, exp: iat + 3600 })}.${signature}`;
}

/** Authorization headers that carry no valid principal. */
const refusedCredentials: [name: string, headers: () => Record<string, string>][] = [
  ['a request with no blessing', () => ({})],
  ['a blessing signed by another key', () => ({ authorization: `Bearer ${deviceToken(ephemeralServerKey())}` })],
  ['an expired blessing', () => ({ authorization: `Bearer ${bless(DEMO_DEVICE, 60, new Date(Date.now() - 3_600_000))}` })],
  ['a malformed token', () => ({ authorization: 'Bearer not-a-token' })],
  ['a token with a truncated signature', () => ({ authorization: `Bearer ${bless(DEMO_DEVICE).slice(0, -2)}` })],
  ['a device token rewritten to claim the store', () => ({ authorization: `Bearer ${tamperedToken()}` })],
  ['a valid token under the Basic scheme', () => ({ authorization: `Basic ${bless(DEMO_DEVICE)}` })],
  ['a blessing naming neither store nor device (evil)', () => ({ authorization: `Bearer ${bless('evil')}` })],
  ['a blessing naming a shopper but no device', () => ({ authorization: `Bearer ${bless(`${STORE}:users:x`)}` })],
  ['a blessing naming below a device', () => ({ authorization: `Bearer ${bless(`${DEMO_DEVICE}:extra`)}` })],
];

const endpoints: [name: string, send: (headers: Record<string, string>) => Promise<Answer>][] = [
  [
    'pull',
    (headers) =>
      call(server, 'GET', `/trpc/sync.pull?input=${encodeURIComponent('{"collection":"user","checkpoint":null,"limit":10}')}`, { headers }),
  ],
  [
    'push',
    (headers) => mutate('sync.push', { collection: 'user', rows: [{ assumedMasterState: null, newDocumentState: userDoc(7) }] }, headers),
  ],
  ['batch', (headers) => mutate('sync.batch', { operations: [{ collection: 'user', write: userDoc(8) }] }, headers)],
];

function mutate(procedure: 'sync.push' | 'sync.batch', input: unknown, headers: Record<string, string> = {}) {
  return call(server, 'POST', `/trpc/${procedure}`, {
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(input),
  });
}
const push = (collection: CollectionName, document: unknown, token: string) =>
  mutate(
    'sync.push',
    { collection, rows: [{ assumedMasterState: null, newDocumentState: document }] },
    { authorization: `Bearer ${token}` },
  );
const batch = (operations: { collection: CollectionName; write: unknown }[], token: string) =>
  mutate('sync.batch', { operations }, { authorization: `Bearer ${token}` });
const documentsOf = (answer: Answer) => resultOf<{ documents: { id: string }[] }>(answer).documents;
const pullAll = (collection: CollectionName, token: string) => pull(server, { collection, checkpoint: null, limit: 1000 }, token);

async function expectRefusal(send: () => Promise<Answer>, status: 401 | 403) {
  const before = await heads(server);
  const answer = await send();
  expect({ status: answer.status, error: errorOf(answer) }).toMatchObject({
    status,
    error: { code: status === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN', httpStatus: status },
  });
  expect(await heads(server)).toEqual(before);
}

describe('authentication: only a verified store or device blessing gets in', () => {
  for (const [endpoint, send] of endpoints) {
    it.each(refusedCredentials)(`${endpoint}: refuses %s with 401 UNAUTHENTICATED and writes nothing`, async (_name, headers) => {
      await expectRefusal(() => send(headers()), 401);
    });
  }

  it('lets a device blessing signed by this server in, as a control for the refusals', async () => {
    expect((await endpoints[0]![1]({ authorization: `Bearer ${deviceToken(server.key)}` })).status).toBe(200);
  });

  it('delivers no stream data without a blessing, only an UNAUTHENTICATED error', async () => {
    const answer = await readEventStream(server, streamPath(), { until: (events) => streamErrors(events).length > 0 });
    expect(streamData(answer.events)).toEqual([]);
    if (answer.status < 400) expect(streamErrors(answer.events)).toMatchObject([{ code: 'UNAUTHENTICATED', httpStatus: 401 }]);
  });

  it('delivers no stream data to a forged blessing, even one passed as a connection parameter', async () => {
    const forged = deviceToken(ephemeralServerKey());
    const path = `${streamPath()}&connectionParams=${encodeURIComponent(JSON.stringify({ token: forged }))}`;
    for (const answer of [
      await readEventStream(server, streamPath(), { token: forged, until: (events) => streamErrors(events).length > 0 }),
      await readEventStream(server, path, { until: (events) => streamErrors(events).length > 0 }),
    ]) {
      expect(streamData(answer.events)).toEqual([]);
      if (answer.status < 400) expect(streamErrors(answer.events)).toMatchObject([{ code: 'UNAUTHENTICATED' }]);
    }
  });

  it('opens the stream with a ready event for a valid device blessing, as a control', async () => {
    const answer = await readEventStream(server, streamPath(), {
      token: deviceToken(server.key),
      until: (events) => streamData(events).length > 0,
    });
    expect(answer.status).toBe(200);
    expect(streamData(answer.events).map((event) => JSON.parse(event.data))).toEqual([
      { kind: 'ready', epoch: expect.stringMatching(/^[0-9a-f]{16}$/) },
    ]);
  });
});

describe('authorization: a blessing reaches only what its syncgroups grant', () => {
  const item = (n: number) => ({
    id: uuid(n),
    _deleted: false,
    name: `Item ${n}`,
    description: '',
    kind: 'coffee',
    priceCents: 100,
    image: 'a'.repeat(64),
    available: true,
  });
  const TIME = '2026-11-23T10:00:00.000Z';
  const placed = orderDoc(30, { status: 'placed', placedTime: TIME, slotId: uuid(31) });
  const device = () => deviceToken(server.key);

  it('refuses a shopper device pushing to catalog with 403 FORBIDDEN and writes nothing', async () => {
    await expectRefusal(() => push('catalog', item(20), device()), 403);
  });

  it('refuses a shopper device pushing to placedOrders, processedOrders or availability with 403 FORBIDDEN', async () => {
    await expectRefusal(() => push('placedOrders', placed, device()), 403);
    await expectRefusal(() => push('processedOrders', { ...placed, status: 'received' }, device()), 403);
    const slot = { id: uuid(40), _deleted: false, start: TIME, end: TIME, capacity: 10, taken: 0, cutoff: TIME };
    await expectRefusal(() => push('availability', slot, device()), 403);
  });

  it('refuses a shopper device batching into catalog or placedOrders, even alongside its own user document', async () => {
    await expectRefusal(() => batch([{ collection: 'catalog', write: item(21) }], device()), 403);
    await expectRefusal(() => batch([{ collection: 'placedOrders', write: placed }], device()), 403);
    await expectRefusal(
      () =>
        batch(
          [
            { collection: 'user', write: userDoc(9) },
            { collection: 'catalog', write: item(22) },
          ],
          device(),
        ),
      403,
    );
  });

  it('refuses a device batching into a replica it names, be it the store’s or another shopper’s', async () => {
    const into = (replica: string) => () =>
      mutate('sync.batch', { replica, operations: [{ collection: 'user', write: userDoc(11) }] }, { authorization: `Bearer ${device()}` });
    await expectRefusal(into('bluebottle'), 403);
    await expectRefusal(into('bluebottle:users:someone-else'), 403);
  });

  it('lets the store blessing push to catalog, and devices then pull the new item', async () => {
    const before = await heads(server);
    expect(resultOf(await push('catalog', item(23), storeToken(server.key)))).toEqual({ conflicts: [], seqs: [before.store + 1] });
    expect(await heads(server)).toEqual({ ...before, store: before.store + 1 });
    expect(documentsOf(await pullAll('catalog', device())).map((doc) => doc.id)).toContain(uuid(23));
  });

  it("shows another shopper's device none of the demo shopper's documents", async () => {
    await push('draftOrders', orderDoc(50), device());
    await server.store.commit(
      DEMO_REPLICA,
      [
        { collection: 'placedOrders', document: placed, expect: { kind: 'none' } },
        { collection: 'processedOrders', document: { ...orderDoc(51), status: 'received' }, expect: { kind: 'none' } },
      ],
      'each',
    );
    const other = deviceToken(server.key, OTHER_SHOPPER, 'tablet');
    for (const collection of ['user', 'draftOrders', 'placedOrders', 'processedOrders'] as const) {
      expect(documentsOf(await pullAll(collection, device())).length, collection).toBeGreaterThan(0);
      expect(documentsOf(await pullAll(collection, other)), collection).toEqual([]);
    }
  });

  it("keeps another shopper's write of the demo shopper's id in that shopper's own replica", async () => {
    const other = deviceToken(server.key, OTHER_SHOPPER, 'tablet');
    const before = await heads(server);
    const hijack = userDoc(0, { id: DEMO_SHOPPER_ID, name: 'Mallory' });
    expect(resultOf(await push('user', hijack, other))).toMatchObject({ conflicts: [], seqs: [1] });
    expect(await heads(server)).toEqual(before);
    expect(documentsOf(await pullAll('user', device()))).not.toContainEqual(hijack);
    expect(documentsOf(await pullAll('user', other))).toEqual([hijack]);
  });
});

describe('the store owner’s sign-in', () => {
  const signInAsStore = (code: string) =>
    call(server, 'POST', '/trpc/auth.storeSignIn', { body: JSON.stringify({ code }), headers: { 'content-type': 'application/json' } });

  it('hands no store blessing to a caller without a code: the demo’s open sign-in is gone', async () => {
    const answer = await call(server, 'POST', '/trpc/auth.devStoreSignIn', { body: '{}', headers: { 'content-type': 'application/json' } });
    expect(answer.status).toBe(404);
    expect(errorOf(await signInAsStore('AAAAAAAA'))?.code).toBe('UNAUTHENTICATED');
  });

  it('blesses the store for the code the server made at start, once', async () => {
    const code = server.ownerCode ?? '';
    expect(code).toMatch(/^[A-Z2-9]{8}$/);
    const { token, blessing } = resultOf<{ token: string; blessing: string }>(await signInAsStore(code));
    expect(blessing).toBe(STORE);
    const catalog = await pull(server, { collection: 'catalog', checkpoint: null, limit: 1 }, token);
    expect(catalog.status).toBe(200);
    expect(errorOf(await signInAsStore(code))?.code).toBe('UNAUTHENTICATED');
  });

  it('keeps the owner’s codes and the shoppers’ pairing codes apart', async () => {
    const pairing = resultOf<{ code: string }>(
      await call(server, 'POST', '/trpc/auth.createPairingCode', {
        token: deviceToken(server.key),
        body: '{}',
        headers: { 'content-type': 'application/json' },
      }),
    ).code;
    expect(errorOf(await signInAsStore(pairing))?.code).toBe('UNAUTHENTICATED');
    const owner = await createOwnerCode(server.identity, new Date());
    const redeemed = await call(server, 'POST', '/trpc/auth.redeemPairingCode', {
      body: JSON.stringify({ code: owner, device: 'sneaky' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(errorOf(redeemed)?.code).toBe('UNAUTHENTICATED');
    expect(await server.identity.device(`${STORE}:users:${STORE}:sneaky`)).toBeUndefined();
  });
});
