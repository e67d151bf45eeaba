import { request, type ClientRequest } from 'node:http';
import type { StreamEvent, WireDocument } from '@pourover/protocol';
import { draftOrder } from './documents.ts';

/** One push as the device sent it and what came back: an HTTP status, or `unreachable` when no answer came. */
export type Attempt = {
  sentAt: number;
  answeredAt: number;
  status: number | 'unreachable';
  retryAfter: string | null;
  code: string | undefined;
};

/** How long a device waits for an answer before it counts the push as unanswered and sends it again. */
const ANSWER_TIMEOUT_MS = 15_000;
/** How soon a device opens its stream again after it ended or was refused (a browser's EventSource waits about 3 s; this measures the server). */
const STREAM_RETRY_MS = 250;

let drafts = 0;

/**
 * A device reduced to what a fault test watches, over plain HTTP so that it
 * sees every status and header: it pushes new drafts at a steady pace
 * through one node, sending a refused push again after the server's
 * Retry-After (with jitter), as the replica does; and it follows its live
 * stream on another node, reopening it from its last event whenever it
 * ends, so that it can tell whether each acknowledged draft arrived exactly
 * once. Every time is `performance.now()`.
 */
export class SteadyDevice {
  readonly name: string;
  readonly attempts: Attempt[] = [];
  /** Draft id → when its push was acknowledged. */
  readonly acknowledged = new Map<string, number>();
  /** Draft id → how many times it arrived on the stream. */
  readonly arrivals = new Map<string, number>();
  /** What the stream answered that a healthy server never should: a status, or an error code other than UNAVAILABLE. */
  readonly streamProblems: string[] = [];
  readonly #token: string;
  readonly #pushUrl: string;
  #streamUrl = '';
  #lastEventId: string | null = null;
  #stream: ClientRequest | undefined;
  #stopped = false;
  #pushing: Promise<void> | undefined;
  #retry: NodeJS.Timeout | undefined;
  #ready: () => void = () => {};
  /** Resolves once the stream first said it listens. */
  readonly listening = new Promise<void>((resolve) => (this.#ready = resolve));

  constructor(options: { name: string; token: string; pushUrl: string }) {
    this.name = options.name;
    this.#token = options.token;
    this.#pushUrl = options.pushUrl;
  }

  /**
   * Opens the stream on the node at `streamUrl`, then pushes a new draft every
   * `everyMs` until stopped; the drafts' ids start with `prefix` (the first
   * four groups of a UUID).
   */
  start(options: { streamUrl: string; everyMs: number; prefix: string }): void {
    this.#streamUrl = options.streamUrl;
    void this.#openStream();
    this.#pushing = this.listening.then(async () => {
      while (!this.#stopped) {
        const started = performance.now();
        await this.push(`${options.prefix}-${(drafts += 1).toString(16).padStart(12, '0')}`);
        await sleep(Math.max(0, options.everyMs - (performance.now() - started)));
      }
    });
  }

  /** Pushes one new draft until the server acknowledges it (or the device is stopped). */
  async push(id: string): Promise<void> {
    if (await this.pushUntilAcknowledged({ ...draftOrder(`from ${this.name}`, id), _deleted: false }))
      this.acknowledged.set(id, performance.now());
  }

  /** Pushes a new draft (an order being placed, say) until the server acknowledges it; whether it did before the device stopped. */
  async pushUntilAcknowledged(draft: WireDocument): Promise<boolean> {
    const body = JSON.stringify({ collection: 'draftOrders', rows: [{ assumedMasterState: null, newDocumentState: draft }] });
    while (!this.#stopped) {
      const attempt = await this.#send(body);
      this.attempts.push(attempt);
      if (attempt.status === 200) return true;
      const seconds = Number(attempt.retryAfter);
      await sleep(attempt.status === 503 && seconds > 0 ? seconds * 1000 * (1 + Math.random() / 2) : 200);
    }
    return false;
  }

  /** Stops pushing (a push under way is finished first) and closes the stream. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retry);
    this.#stream?.destroy();
    await this.#pushing;
  }

  async #send(body: string): Promise<Attempt> {
    const sentAt = performance.now();
    try {
      const response = await fetch(`${this.#pushUrl}/trpc/sync.push`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.#token}`, 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS),
      });
      const answer = (await response.json().catch(() => undefined)) as { error?: { data?: { code?: string } } } | undefined;
      return {
        sentAt,
        answeredAt: performance.now(),
        status: response.status,
        retryAfter: response.headers.get('retry-after'),
        code: answer?.error?.data?.code,
      };
    } catch {
      return { sentAt, answeredAt: performance.now(), status: 'unreachable', retryAfter: null, code: undefined };
    }
  }

  /** A single-use stream ticket, asked for with the device's token as its client does; undefined while the node cannot give one. */
  async #ticket(): Promise<string | undefined> {
    try {
      const response = await fetch(`${this.#streamUrl}/trpc/auth.streamTicket`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.#token}`, 'content-type': 'application/json' },
        body: '{}',
        signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS),
      });
      if (response.status !== 200) return undefined;
      return ((await response.json()) as { result: { data: { ticket: string } } }).result.data.ticket;
    } catch {
      return undefined;
    }
  }

  async #openStream() {
    if (this.#stopped) return;
    const reopenLater = () => {
      if (!this.#stopped) this.#retry = setTimeout(() => void this.#openStream(), STREAM_RETRY_MS);
    };
    const ticket = await this.#ticket();
    if (this.#stopped) return;
    if (ticket === undefined) return reopenLater();
    const input = encodeURIComponent(JSON.stringify({ lastEventId: this.#lastEventId }));
    const params = encodeURIComponent(JSON.stringify({ ticket }));
    const req = request(`${this.#streamUrl}/trpc/sync.stream?input=${input}&connectionParams=${params}`, {
      agent: false,
      headers: { accept: 'text/event-stream' },
    });
    this.#stream = req;
    let reopened = false;
    const reopen = () => {
      if (reopened) return;
      reopened = true;
      reopenLater();
    };
    req.once('error', reopen);
    req.once('response', (res) => {
      if (res.statusCode !== 200) this.streamProblems.push(`stream answered ${res.statusCode}`);
      let text = '';
      res.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        const blocks = text.split('\n\n');
        text = blocks.pop() ?? '';
        for (const block of blocks) this.#event(block);
      });
      res.once('close', reopen);
    });
    req.end();
  }

  #event(block: string) {
    const fields = new Map(
      block
        .split('\n')
        .flatMap((line) => (line.includes(': ') ? [[line.slice(0, line.indexOf(': ')), line.slice(line.indexOf(': ') + 2)] as const] : [])),
    );
    const data = fields.get('data');
    if (data === undefined) return;
    const kind = fields.get('event');
    if (kind === 'serialized-error') {
      const code = (JSON.parse(data) as { data?: { code?: string } }).data?.code;
      if (code !== 'UNAVAILABLE') this.streamProblems.push(`stream ended with ${String(code)}`);
      return;
    }
    if (kind !== undefined) return;
    const id = fields.get('id');
    if (id !== undefined) this.#lastEventId = id;
    const event = JSON.parse(data) as StreamEvent;
    if (event.kind === 'ready') return this.#ready();
    if (event.collection !== 'draftOrders') return;
    for (const document of event.documents) this.arrivals.set(document.id, (this.arrivals.get(document.id) ?? 0) + 1);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
