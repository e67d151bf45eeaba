import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readServerFile } from '../../../test/support/server-file.ts';
import { startAppServerProcess, type ServerProcess } from '../../../test/support/server-process.ts';
import { waitFor } from '../../../test/support/wait-for.ts';
import { editList, listFields, type ListEdit, type ListItem } from '../src/index.ts';
import { closeListDevice, openListDevice, type ListDevice } from './list-devices.ts';

/**
 * The sync engine running an app that is not the shop: the shared list's
 * collections, merge and server hook go through the same server, replica and
 * protocol code as the shop's orders, with nothing of either in the engine.
 */
const entry = fileURLToPath(new URL('./list-server.ts', import.meta.url));
const USER = '5a5a5a5a-0000-4000-8000-000000000001';
const REPLICA = `bluebottle:users:${USER}`;
const LIST = '5a5a5a5a-0000-4000-8000-0000000000aa';

/** A device's edit of the list, as the list's screen would make it: Yjs edits, and the shown fields derived from them. */
async function edit(device: ListDevice, edits: readonly ListEdit[]): Promise<void> {
  const lists = device.replica.collections.lists;
  const found = await lists.findOne(LIST).exec();
  if (!found) {
    const ydoc = editList('', edits);
    await lists.insert({ id: LIST, ...listFields(ydoc), ydoc });
    return;
  }
  await found.incrementalModify((list) => {
    const ydoc = editList(String(list['ydoc']), edits);
    return { ...list, ...listFields(ydoc), ydoc };
  });
}

/** Items as plain objects with their keys in one order (the server stores documents with sorted keys). */
const plain = (items: unknown): ListItem[] => ((items as ListItem[] | undefined) ?? []).map(({ id, text, done }) => ({ id, text, done }));

const itemsOn = async (device: ListDevice): Promise<ListItem[]> =>
  plain((await device.replica.collections.lists.findOne(LIST).exec())?.get('items'));

function itemsOnServer(dataDir: string): ListItem[] {
  const file = readServerFile(dataDir);
  const [row] = file.documents(REPLICA, 'lists');
  file.close();
  return plain(row?.document['items']);
}

const item = (id: string, text: string, done = false): ListItem => ({ id, text, done });
const setItem = ({ id, text, done }: ListItem): ListEdit => ({ kind: 'setItem', id, text, done });

describe('a shared shopping list on the sync engine, a second app beside the shop', () => {
  const dirs: string[] = [];
  const started: ServerProcess[] = [];
  const devices: ListDevice[] = [];
  async function serverAndTwoDevices() {
    const dir = mkdtempSync(join(tmpdir(), 'pourover-list-'));
    dirs.push(dir);
    const server = await startAppServerProcess(entry, dir);
    started.push(server);
    const a = await openListDevice(server, USER, 'phone');
    const b = await openListDevice(server, USER, 'laptop');
    devices.push(a, b);
    return { dir, server, a, b };
  }
  afterAll(async () => {
    await Promise.all(devices.map(closeListDevice));
    await Promise.all(started.map((server) => server.stop()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the edits both devices made offline, merged, on both devices and the server', async () => {
    const { dir, a, b } = await serverAndTwoDevices();
    await edit(a, [{ kind: 'setTitle', title: 'Saturday' }, setItem(item('1', 'milk'))]);
    await waitFor('the phone’s list to reach the laptop', async () => (await itemsOn(b)).length === 1);

    a.link.unplug();
    b.link.unplug();
    await edit(a, [setItem(item('2', 'eggs'))]);
    await edit(b, [setItem(item('3', 'bread')), setItem(item('1', 'milk', true))]);
    await edit(b, [{ kind: 'removeItem', id: '3' }, setItem(item('4', 'rye bread'))]);
    expect(await itemsOn(a)).toEqual([item('1', 'milk'), item('2', 'eggs')]);
    a.link.plug();
    b.link.plug();

    const merged = [item('1', 'milk', true), item('2', 'eggs'), item('4', 'rye bread')];
    const same = async (device: ListDevice) => JSON.stringify(await itemsOn(device)) === JSON.stringify(merged);
    await waitFor('both devices to hold both edits', async () => (await same(a)) && (await same(b)), 30_000);
    await Promise.all([a.replica.awaitInSync(), b.replica.awaitInSync()]);
    expect(await itemsOn(a)).toEqual(merged);
    expect(await itemsOn(b)).toEqual(merged);
    expect(itemsOnServer(dir)).toEqual(merged);
    expect((await a.replica.collections.lists.findOne(LIST).exec())?.get('title')).toBe('Saturday');
  });

  it('loses no edit made while the server is killed with SIGKILL and restarted on its file', async () => {
    const { dir, server, a, b } = await serverAndTwoDevices();
    await edit(a, [{ kind: 'setTitle', title: 'Party' }]);
    await Promise.all([a.replica.awaitInSync(), b.replica.awaitInSync()]);

    const expected: ListItem[] = [];
    for (let i = 0; i < 60; i += 1) {
      const added = item(`a${String(i).padStart(2, '0')}`, `thing ${i}`);
      expected.push(added);
      await edit(i % 2 === 0 ? a : b, [setItem(added)]);
      if (i === 20) await server.kill();
      if (i === 40) await server.restart();
    }
    expect(server.running).toBe(true);

    const complete = async (device: ListDevice) => JSON.stringify(await itemsOn(device)) === JSON.stringify(expected);
    await waitFor('both devices to hold every edit after the restart', async () => (await complete(a)) && (await complete(b)), 60_000);
    await Promise.all([a.replica.awaitInSync(), b.replica.awaitInSync()]);
    expect(await itemsOn(a)).toEqual(expected);
    expect(await itemsOn(b)).toEqual(expected);
    expect(itemsOnServer(dir)).toEqual(expected);
  });
});
