/**
 * The shared list's sync server, as a test runs it in a child process: the
 * engine's `startServer` with this app's definition, and nothing of the shop.
 */
import { parseArgs } from 'node:util';
import { startServer } from '@pourover/sync-server';
import { sharedListServerApp } from '../src/server-app.ts';

const { values } = parseArgs({
  options: { port: { type: 'string' }, data: { type: 'string' }, seed: { type: 'boolean' } },
});
if (!values.data || !values.port) throw new Error('list-server: --port and --data are required');
const server = await startServer({ app: sharedListServerApp, port: Number(values.port), dataDir: values.data });
process.stdout.write(`Pourover sync server listening on ${server.url}\n`);
process.on('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
