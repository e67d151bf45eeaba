import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROTOCOL_VERSION } from '@pourover/protocol';
import { createSyncClient } from '@pourover/sync-client';
import { loadServerKey, signBlessing } from '@pourover/sync-server';
import { onPostgres } from '@pourover/sync-server/on-postgres';
import { Client } from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { NEXT_RELEASE_SERVER } from './e2e/shop-builds.ts';
import { ReplicaProcess } from './support/replica-process.ts';
import { startServerProcess, type ServerProcess } from './support/server-process.ts';
import { shopperId } from './support/shoppers.ts';
import { waitFor } from './support/wait-for.ts';

const NEXT_PROTOCOL = PROTOCOL_VERSION + 1;
const SHOPPER = shopperId(80);
const REPLICA = `bluebottle:users:${SHOPPER}`;

async function storedProfile(url: string): Promise<Record<string, unknown> | undefined> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ body: string }>(
      `SELECT body FROM documents WHERE replica = $1 AND collection = 'user' AND id = $2`,
      [REPLICA, SHOPPER],
    );
    return rows[0] ? (JSON.parse(rows[0].body) as Record<string, unknown>) : undefined;
  } finally {
    await client.end();
  }
}

/**
 * Mid-way through a rolling upgrade (docs/operations.md) one node runs today's
 * release and serves today's app, the other the next release, whose profile
 * has a new field (`phone`, test/e2e/fixtures/upgrade) and serves only the
 * next app. A profile the next app writes with the new field is read by
 * today's app through today's node without an error, and today's app's edit
 * of it, pushed back through today's node, keeps the field: no node writes a
 * profile the other cannot read.
 */
onPostgres((postgres) => {
  describe('a profile field the next release adds, served by a node of today’s release to today’s app', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pourover-profile-releases-'));
    const cleanups: (() => Promise<unknown>)[] = [];
    afterAll(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    });

    it('is read without an error, and kept when today’s app edits the profile and pushes it back', { timeout: 90_000 }, async () => {
      const database = await postgres.createDatabase();
      cleanups.push(() => database.drop());
      const keyFile = join(dir, 'server-key.pem');
      const shared = ['--store', database.url, '--key-file', keyFile];
      const started: ServerProcess[] = [];
      const today = await startServerProcess(join(dir, 'today'), undefined, shared);
      started.push(today);
      cleanups.push(() => today.stop());
      const next = await startServerProcess(
        join(dir, 'next'),
        undefined,
        [...shared, '--oldest-protocol', String(NEXT_PROTOCOL)],
        NEXT_RELEASE_SERVER,
      );
      started.push(next);
      cleanups.push(() => next.stop());
      const key = loadServerKey(keyFile);
      const tokenOf = (device: string) => signBlessing(key, { name: `${REPLICA}:${device}`, ttlSeconds: 3600 });

      // The shopper's profile, as today's app wrote it, and today's app on a device, through today's node.
      const todayLight = createSyncClient({ url: today.url, token: () => tokenOf('today-light'), appBuild: '0.1.0+today' });
      const profile = {
        id: SHOPPER,
        name: 'Ada',
        email: 'ada@example.com',
        address: '1 Old Rd',
        paymentToken: 'tok_visa',
        _deleted: false,
      };
      await todayLight.sync.push.mutate({ collection: 'user', rows: [{ assumedMasterState: null, newDocumentState: profile }] });
      const todayApp = await ReplicaProcess.open(today, 'today-app', { token: tokenOf('today-app'), release: { appBuild: '0.1.0+today' } });
      cleanups.push(() => todayApp.close());
      await waitFor('today’s app to hold the profile', async () => (await todayApp.profile())?.['name'] === 'Ada', 30_000, 100);

      // The next app gives a phone number and a new address, through the next node.
      const nextApp = createSyncClient({
        url: next.url,
        token: () => tokenOf('next-app'),
        protocol: NEXT_PROTOCOL,
        appBuild: '0.1.0+next',
      });
      const [current] = (await nextApp.sync.get.query({ collection: 'user', ids: [SHOPPER] })).documents;
      expect(current).toBeDefined();
      const given = { ...current!, phone: '+1 555 0100', address: '2 New St' };
      expect(
        (await nextApp.sync.push.mutate({ collection: 'user', rows: [{ assumedMasterState: current!, newDocumentState: given }] }))
          .conflicts,
      ).toEqual([]);

      // Today's app reads it through today's node: the new address arrives, and nothing fails.
      await waitFor(
        'today’s app to receive the new address',
        async () => (await todayApp.profile())?.['address'] === '2 New St',
        30_000,
        100,
      );
      expect(await todayApp.status()).toMatchObject({ unsent: 0, lastError: null });
      const served = (await todayLight.sync.get.query({ collection: 'user', ids: [SHOPPER] })).documents[0];
      expect(served).toEqual({ ...profile, address: '2 New St' });

      // Today's app changes the name, and pushes the profile back through today's node.
      await todayApp.editProfile({ name: 'Ada Lovelace' });
      await waitFor('today’s app to send its edit', async () => (await todayApp.status()).unsent === 0, 30_000, 100);
      expect(await todayApp.status()).toMatchObject({ unsent: 0, lastError: null });

      // Both releases' writes are in the one stored profile: the next node serves it whole, today's node without the phone.
      const whole = { ...profile, name: 'Ada Lovelace', address: '2 New St', phone: '+1 555 0100' };
      expect(await storedProfile(database.url)).toEqual(whole);
      expect((await nextApp.sync.get.query({ collection: 'user', ids: [SHOPPER] })).documents).toEqual([whole]);
      expect((await todayLight.sync.get.query({ collection: 'user', ids: [SHOPPER] })).documents).toEqual([
        { ...profile, name: 'Ada Lovelace', address: '2 New St' },
      ]);
      expect(await todayApp.profile()).toMatchObject({ name: 'Ada Lovelace', address: '2 New St' });
      // No request of either app was refused.
      expect(started.flatMap((node) => node.requests.filter((request) => request.status >= 400))).toEqual([]);
    });
  });
});
