import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess } from '../support/server-process.ts';
import { benchContext } from './context.ts';
import { loopbackAddress, pusher, type Pusher } from './light-clients.ts';
import { makeOrders } from './orders.ts';
import { percentile, type Samples } from './stats.ts';

type Step = (s: string) => void;
type Figures = (Samples & { baseline?: string })[];
export type AttackSize = { devices: number; signIns: number; guesses: number; attackers: number; seconds: number; runs: number };

const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const randomCode = () => Array.from({ length: 8 }, () => CODE_ALPHABET[Math.floor(Math.random() * CODE_ALPHABET.length)]).join('');

/** One public call, on a connection of its own from `from` or through `agent`; resolves with the status (0 if the connection failed). */
function publicCall(url: string, procedure: string, input: unknown, via: { from: string } | { agent: Agent }): Promise<number> {
  const body = JSON.stringify(input);
  const connection = 'agent' in via ? { agent: via.agent } : { agent: false as const, localAddress: via.from };
  return new Promise((resolve) => {
    const req = request(
      `${url}/trpc/${procedure}`,
      { method: 'POST', ...connection, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } },
      (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.once('error', () => resolve(0));
    req.end(body);
  });
}

type AttackCounts = { signIns: number[]; guesses: number[] };

/**
 * The attack, from a few addresses: every wrong-password sign-in at
 * once, each on a connection of its own, and pairing-code guesses 50 at a
 * time over keep-alive connections (10 per address), as a tool that guesses
 * fast would send them.
 */
async function attack(url: string, size: AttackSize, run: number): Promise<AttackCounts> {
  const from = (n: number) => loopbackAddress((n % size.attackers) + run * size.attackers, 4);
  const signIns = Promise.all(
    Array.from({ length: size.signIns }, (_, n) =>
      publicCall(url, 'auth.signIn', { email: 'demo@example.com', password: `guess-${run}-${n}`, device: 'phone' }, { from: from(n) }),
    ),
  );
  const agents = Array.from({ length: size.attackers }, (_, n) => new Agent({ keepAlive: true, maxSockets: 10, localAddress: from(n) }));
  const guesses: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 50 }, async (_, worker) => {
      const agent = agents[worker % agents.length] as Agent;
      while (next < size.guesses) {
        const n = next++;
        guesses.push(await publicCall(url, 'auth.redeemPairingCode', { code: randomCode(), device: `guess-${n}` }, { agent }));
      }
    }),
  );
  for (const agent of agents) agent.destroy();
  return { signIns: await signIns, guesses };
}

/** Every device pushes new drafts, one in flight each, until `until` resolves; the latency of each push, and how many were refused. */
async function pushUntil(
  pushers: Pusher[],
  body: () => string,
  until: Promise<unknown>,
): Promise<{ latencies: number[]; refused: number }> {
  let done = false;
  void until.then(() => (done = true));
  const latencies: number[] = [];
  let refused = 0;
  await Promise.all(
    pushers.map(async (device) => {
      while (!done) {
        const sent = performance.now();
        const status = await device.push(body());
        latencies.push(performance.now() - sent);
        if (status !== 200) refused += 1;
      }
    }),
  );
  return { latencies, refused };
}

/**
 * Devices pushing while the public endpoints are attacked, on a server
 * process of its own with production's limits: in alternating rounds, the
 * devices' push latency with no attack and during one (500 concurrent
 * wrong-password sign-ins and 10,000 pairing-code guesses from a few
 * addresses), and how much of the attack was refused with 429. Each device
 * comes from its own loopback address, as real devices come from many.
 */
export async function attackFigures(options: AttackSize & { step: Step }): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-bench-attack-'));
  const server = await startServerProcess(dir);
  try {
    const ctx = await benchContext(server);
    const pushers = Array.from({ length: options.devices }, (_, i) =>
      pusher(server.url, { token: ctx.shopper(40_000 + i).token, from: loopbackAddress(i, 3) }),
    );
    const [draft] = makeOrders(1, ctx.catalog, 'draft', 11);
    const body = () =>
      JSON.stringify({
        collection: 'draftOrders',
        rows: [{ assumedMasterState: null, newDocumentState: { ...draft, id: randomUUID(), _deleted: false } }],
      });
    const seconds = (s: number) => new Promise((resolve) => setTimeout(resolve, s * 1000));
    const quiet: number[] = [];
    const attacked: number[] = [];
    const refusedPushes: number[] = [];
    const counts = {
      signIns: [] as number[],
      signInsRefused: [] as number[],
      guesses: [] as number[],
      guessesRefused: [] as number[],
      checked: [] as number[],
      attackSeconds: [] as number[],
    };
    options.step('attack: warming up the devices');
    await pushUntil(pushers, body, seconds(1));
    for (let run = 1; run <= options.runs; run += 1) {
      options.step(`attack: ${options.devices} devices pushing, no attack, run ${run}/${options.runs}`);
      const calm = await pushUntil(pushers, body, seconds(options.seconds));
      quiet.push(percentile(calm.latencies, 99));
      options.step(
        `attack: ${options.devices} devices pushing under ${options.signIns} sign-ins and ${options.guesses} pairing guesses, run ${run}/${options.runs}`,
      );
      const started = performance.now();
      const attackDone = attack(server.url, options, run);
      const during = await pushUntil(pushers, body, Promise.all([attackDone, seconds(options.seconds)]));
      const result = await attackDone;
      counts.attackSeconds.push((performance.now() - started) / 1000);
      attacked.push(percentile(during.latencies, 99));
      refusedPushes.push(calm.refused + during.refused);
      counts.signIns.push(result.signIns.length);
      counts.signInsRefused.push(result.signIns.filter((status) => status === 429).length);
      counts.guesses.push(result.guesses.length);
      counts.guessesRefused.push(result.guesses.filter((status) => status === 429).length);
      counts.checked.push([...result.signIns, ...result.guesses].filter((status) => status === 401).length);
    }
    for (const device of pushers) device.close();
    const label = `push from ${options.devices} devices`;
    return [
      { name: `${label}, no attack: latency p99`, unit: 'ms', values: quiet },
      {
        name: `${label}, during the attack: latency p99 (target ≤ 2× no attack)`,
        unit: 'ms',
        values: attacked,
        baseline: `${label}, no attack: latency p99`,
      },
      { name: `${label}: refused (not 200), both rounds`, unit: 'pushes', values: refusedPushes },
      { name: `attack: wrong-password sign-ins refused with 429 (of ${options.signIns})`, unit: 'requests', values: counts.signInsRefused },
      { name: `attack: pairing-code guesses refused with 429 (of ${options.guesses})`, unit: 'requests', values: counts.guessesRefused },
      { name: 'attack: passwords and codes actually checked (401)', unit: 'requests', values: counts.checked },
      { name: 'attack: time to send it all', unit: 's', values: counts.attackSeconds },
    ];
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
