import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runServerCommand, startServerProcess, type ServerProcess } from './support/server-process.ts';
import { createShopper, type Shopper } from './support/shoppers.ts';

type Pulled = { documents: { id: string; name?: string }[]; checkpoint: { seq: number; epoch: string }; reset?: true };

let dir: string;
let server: ServerProcess;
let shopper: Shopper;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pourover-backup-'));
  server = await startServerProcess(join(dir, 'data'));
  shopper = await createShopper(server, 1, 'tok_visa');
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The shopper's profile name a store file holds. */
function profileNameIn(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    const row = db.prepare(`SELECT body FROM documents WHERE replica = ? AND collection = 'user'`).get(shopper.replica) as { body: string };
    return (JSON.parse(row.body) as { name: string }).name;
  } finally {
    db.close();
  }
}

const profile = async () => (await shopper.client.sync.pull.query({ collection: 'user', checkpoint: null, limit: 10 })) as Pulled;

async function rename(name: string) {
  const [current] = (await profile()).documents;
  await shopper.client.sync.push.mutate({
    collection: 'user',
    rows: [{ assumedMasterState: { ...current!, _deleted: false }, newDocumentState: { ...current!, name, _deleted: false } }],
  });
}

describe('pourover-server backup and restore (the embedded store)', () => {
  it('backs up a running server, refuses to restore under it, restores once stopped with a new epoch, and keeps what it replaced', async () => {
    await rename('Before the backup');
    const backup = join(dir, 'backup');
    // A shop keeps writing while it is backed up: the copy is one snapshot, never started over by a write.
    let writing = true;
    const writer = (async () => {
      // A write every 50 ms, within the device's request budget (a rename is a pull and a push).
      for (let n = 0; writing; n += 1) {
        await rename(`Busy ${n}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const made = await runServerCommand(['backup', '--to', backup, '--data', server.dataDir]);
    writing = false;
    await writer;
    const inBackup = profileNameIn(join(backup, 'pourover.sqlite'));
    expect(inBackup).toMatch(/^(Before the backup|Busy \d+)$/);
    expect(made.stderr).toBe('');
    expect(made.code).toBe(0);
    expect(made.stdout).toMatch(/Backed up pourover\.sqlite/);
    expect(readdirSync(backup).sort()).toEqual(['identity.sqlite', 'images.sqlite', 'pourover.sqlite']);
    expect(statSync(join(backup, 'pourover.sqlite')).mode & 0o777).toBe(0o600);
    expect(statSync(backup).mode & 0o777).toBe(0o700);

    const again = await runServerCommand(['backup', '--to', backup, '--data', server.dataDir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/is not empty: back up into a new folder/);

    await rename('After the backup');
    const before = await profile();

    const refused = await runServerCommand(['restore', '--from', backup, '--data', server.dataDir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/in use: stop the server before restoring/);

    await server.stop();
    const restored = await runServerCommand(['restore', '--from', backup, '--data', server.dataDir]);
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    const keptAside = /the files it replaced are in (\S+)\n/.exec(restored.stdout)?.[1];
    expect(keptAside && existsSync(join(keptAside, 'pourover.sqlite'))).toBe(true);

    await server.restart();
    const after = (await shopper.client.sync.pull.query({ collection: 'user', checkpoint: before.checkpoint, limit: 10 })) as Pulled;
    expect(after.reset).toBe(true);
    expect(after.checkpoint.epoch).not.toBe(before.checkpoint.epoch);
    expect(after.documents.map((document) => document.name)).toEqual([inBackup]);

    // A device that knows no epochs still hears of every write after the restore: positions moved past any it holds.
    await rename('After the restore');
    const unaware = (await shopper.client.sync.pull.query({
      collection: 'user',
      checkpoint: { seq: before.checkpoint.seq },
      limit: 10,
    })) as Pulled;
    expect(unaware.documents.map((document) => document.name)).toEqual(['After the restore']);
  });

  it('refuses to restore from the data folder itself, or a backup of a newer server, and changes nothing', async () => {
    await server.stop();
    const itself = await runServerCommand(['restore', '--from', server.dataDir, '--data', server.dataDir]);
    const newer = join(dir, 'newer');
    expect((await runServerCommand(['backup', '--to', newer, '--data', server.dataDir])).code).toBe(0);
    const db = new Database(join(newer, 'pourover.sqlite'));
    db.pragma('user_version = 99');
    db.close();
    const refusedNewer = await runServerCommand(['restore', '--from', newer, '--data', server.dataDir]);
    await server.restart();
    expect(itself.code).toBe(1);
    expect(itself.stderr).toMatch(/is the data folder or inside it/);
    expect(refusedNewer.code).toBe(1);
    expect(refusedNewer.stderr).toMatch(/schema version 99, newer than this server knows/);
    expect(readdirSync(server.dataDir).filter((name) => name.startsWith('restoring-'))).toEqual([]);
    expect((await profile()).documents.map((document) => document.name)).toEqual(['After the restore']);
  });

  it('refuses a folder that is not a backup, in words, and changes nothing', async () => {
    const empty = mkdtempSync(join(dir, 'not-a-backup-'));
    await server.stop();
    const refused = await runServerCommand(['restore', '--from', empty, '--data', server.dataDir]);
    await server.restart();
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/holds no pourover\.sqlite: is it a backup made by `pourover-server backup`\?/);
    expect((await profile()).documents.map((document) => document.name)).toEqual(['After the restore']);
  });

  it('names what each command needs when it is missing', async () => {
    const backup = await runServerCommand(['backup']);
    expect(backup.code).toBe(2);
    expect(backup.stderr).toMatch(/backup needs --to DIR/);
    const epoch = await runServerCommand(['new-epoch']);
    expect(epoch.code).toBe(2);
    expect(epoch.stderr).toMatch(/new-epoch needs --store/);
  });
});
