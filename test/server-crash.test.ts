import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDevice, openDevice } from './support/devices.ts';
import { draftOrder } from './support/documents.ts';
import { readServerFile } from './support/server-file.ts';
import { startServerProcess } from './support/server-process.ts';
import { waitFor } from './support/wait-for.ts';

const REPLICA = 'bluebottle:users:c0ffee00-0000-4000-8000-000000000001';
const WRITES = 1_000;

describe('a server killed with SIGKILL in the middle of a stream of pushes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-crash-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has every write of the device exactly once after restarting on the same file, and both devices converge', async () => {
    const server = await startServerProcess(dir);
    const a = await openDevice(server, 'a');
    const b = await openDevice(server, 'b');
    await Promise.all([a.replica.awaitInSync(), b.replica.awaitInSync()]);
    const headBefore = readServerFile(dir).head(REPLICA);

    const written: string[] = [];
    const onServerNow = () => {
      const file = readServerFile(dir);
      const count = file.documents(REPLICA, 'draftOrders').length;
      file.close();
      return count;
    };
    let killedAtServerCount = -1;
    let killedAtWrite = -1;
    for (let i = 0; i < WRITES; i += 1) {
      const draft = draftOrder(`write ${i}`);
      await a.replica.collections.draftOrders.insert(draft);
      written.push(draft.id);
      if (killedAtWrite < 0 && i % 10 === 0) {
        // Pace the writes so that the server has taken some, not all, when it dies.
        await waitFor('the server to keep up', () => onServerNow() >= i - 100);
        if (onServerNow() >= 200) {
          killedAtServerCount = onServerNow();
          killedAtWrite = i;
          await server.kill();
        }
      }
      // Restarted once, 300 writes after it died (or at the last write): never before it was killed, which would start a
      // second server on the port of a running one.
      if (killedAtWrite >= 0 && !server.running && (i === killedAtWrite + 300 || i === WRITES - 1)) await server.restart();
    }
    expect(killedAtServerCount).toBeGreaterThan(0);
    expect(killedAtServerCount).toBeLessThan(WRITES);

    await a.replica.awaitInSync();
    await waitFor('b to hold every draft', async () => (await b.replica.collections.draftOrders.count().exec()) === WRITES, 60_000);

    const file = readServerFile(dir);
    const onServer = file.documents(REPLICA, 'draftOrders');
    expect(onServer.map((row) => row.id).sort()).toEqual([...written].sort());
    // Each insert is one change: a write applied twice would have taken a second sequence number.
    expect(file.head(REPLICA) - headBefore).toBe(WRITES);
    file.close();

    const onB = await b.replica.collections.draftOrders.find().exec();
    expect(onB.map((doc) => doc.id).sort()).toEqual([...written].sort());
    await Promise.all([closeDevice(a), closeDevice(b)]);
    await server.stop();
  });
});
