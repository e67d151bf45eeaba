import { MAX_BATCH_CALLS } from '@pourover/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, deviceToken, heads, orderDoc, startTestServer, uuid, type TestServer } from './support/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

/** One HTTP request carrying several `sync.push` calls (tRPC's `?batch=1`). */
function pushes(inputs: unknown[], token: string) {
  const procedures = inputs.map(() => 'sync.push').join(',');
  const body = JSON.stringify(Object.fromEntries(inputs.map((input, index) => [String(index), input])));
  return call(server, 'POST', `/trpc/${procedures}?batch=1`, { token, body, headers: { 'content-type': 'application/json' } });
}

const draftPush = (n: number) => ({ collection: 'draftOrders', rows: [{ assumedMasterState: null, newDocumentState: orderDoc(n) }] });
const catalogPush = { collection: 'catalog', rows: [{ assumedMasterState: null, newDocumentState: { id: uuid(90), _deleted: false } }] };

describe('calls batched in one HTTP request', () => {
  it('are each authorized and answered on their own: a refused call leaves the others written', async () => {
    const before = await heads(server);
    const answer = await pushes([draftPush(1), catalogPush, draftPush(2)], deviceToken(server.key));
    const results = answer.body as { result?: unknown; error?: { data?: { httpStatus?: number } } }[];
    expect(results.map((result) => ('result' in result ? 200 : result.error?.data?.httpStatus))).toEqual([200, 403, 200]);
    expect(await heads(server)).toEqual({ shopper: before.shopper + 2, store: before.store });
  });

  it(`are refused whole, with nothing written, past ${MAX_BATCH_CALLS} in one request`, async () => {
    const before = await heads(server);
    const answer = await pushes(
      Array.from({ length: MAX_BATCH_CALLS + 1 }, (_, n) => draftPush(100 + n)),
      deviceToken(server.key),
    );
    expect(answer.status).toBe(400);
    expect(await heads(server)).toEqual(before);
  });
});
