/**
 * The Node.js options the server runs with, however it is started: the
 * `pourover-server` CLI's first line, `npm start`, and the tests and
 * benchmarks that run it as a process.
 *
 * A young generation of up to 64 MiB a semi-space (Node's default is 16):
 * every request makes short-lived garbage (its JSON, zod's copies, Yjs
 * documents), and at the default the scavenger took 30% of the server's CPU
 * while a device pushed 10,000 documents; at 64 MiB, 8%. Pages grow only as the
 * server's load needs them.
 */
export const SERVER_NODE_OPTIONS: readonly string[] = ['--max-semi-space-size=64'];
