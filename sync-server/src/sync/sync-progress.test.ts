import { STORE } from '@pourover/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceToken, heads, startTestServer, trpcClient, type TestServer } from '../../test/support/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

describe('the heads a device measures its first sync against', () => {
  it('are the latest change of each collection it reads, in its own replica and the store’s', async () => {
    const client = trpcClient(server.url, deviceToken(server.key));
    const { heads: answered } = await client.progress.heads.query();
    const { shopper, store } = await heads(server);
    expect(Object.keys(answered).sort()).toEqual([
      'availability',
      'catalog',
      'draftOrders',
      'orderRequests',
      'placedOrders',
      'processedOrders',
      'user',
    ]);
    // The store's replica also holds its weekly schedule, which no device reads: its changes count in no device's heads.
    const schedule = await server.store.collectionHead(STORE, 'slotSchedule');
    expect(schedule).toBeGreaterThan(0);
    expect(Math.max(answered['catalog'] ?? 0, answered['availability'] ?? 0, schedule)).toBe(store);
    expect(answered['user']).toBe(shopper);
    expect(answered['draftOrders']).toBe(0);
  });

  it('are refused without a blessing', async () => {
    const answer = await fetch(`${server.url}/trpc/progress.heads`);
    expect(answer.status).toBe(401);
  });
});
