import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SERVER_NODE_OPTIONS } from '@pourover/sync-server/node-options';
import PouchDB from 'pouchdb-core';
import http from 'pouchdb-adapter-http';
import memory from 'pouchdb-adapter-memory';
import mapreduce from 'pouchdb-mapreduce';
import replication from 'pouchdb-replication';

PouchDB.plugin(memory).plugin(http).plugin(replication).plugin(mapreduce);

/** A local PouchDB database in memory (the baseline's device). */
export const LocalPouch = PouchDB.defaults({ adapter: 'memory' });
/** A remote database on the express-pouchdb server. */
export const RemotePouch = PouchDB.defaults({ adapter: 'http' });

/**
 * Runs express-pouchdb (memory adapter) in its own process on 127.0.0.1, as
 * the Pourover server runs in its own, with the same Node.js options: neither
 * side gains on the runtime's settings.
 */
export async function startPouchServer(): Promise<{ url: string; stop(): Promise<void> }> {
  const script = fileURLToPath(new URL('./pouch-server.ts', import.meta.url));
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const child = spawn(process.execPath, [...SERVER_NODE_OPTIONS, '--import', 'tsx', script], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /listening on (\S+)/.exec(text);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`express-pouchdb exited with ${code}`)));
  });
  return {
    url,
    async stop() {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await gone;
    },
  };
}
