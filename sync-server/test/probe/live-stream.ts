/**
 * A live event-stream reader for the authorization matrix's subscriptions.
 */
import { parseEvents, type SseEvent } from '../support/test-server.ts';

/** Whether an SSE event is data (tRPC's tracked data carries no event name). */
export const isData = (event: SseEvent) => event.event === undefined;
/** Whether an SSE event is tRPC's typed error event. */
export const isError = (event: SseEvent) => event.event === 'serialized-error';

/** A stream ticket for `token` from the server at `origin`, as a device's client asks for one; undefined if refused. */
async function ticketFor(origin: string, token: string): Promise<string | undefined> {
  const response = await fetch(`${origin}/trpc/auth.streamTicket`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: '{}',
  });
  if (response.status !== 200) return undefined;
  return ((await response.json()) as { result: { data: { ticket: string } } }).result.data.ticket;
}

/**
 * A live event stream read in the background, so a test can act while it
 * is open (write, then wait for the change to arrive). It opens as a
 * device's client does: with a stream ticket fetched with `token`, or, when
 * the server refuses one (a forged or revoked token), with no credential.
 */
export class LiveStream {
  status = 0;
  text = '';
  ended = false;
  /** Why reading failed, other than being closed. */
  failure: unknown;
  readonly #controller = new AbortController();
  readonly #done: Promise<void>;

  constructor(url: string, token: string | undefined) {
    this.#done = this.#read(url, token).catch((error: unknown) => {
      this.failure = error;
    });
  }

  async #read(url: string, token: string | undefined) {
    const target = new URL(url);
    const ticket = token === undefined ? undefined : await ticketFor(target.origin, token);
    if (ticket) target.searchParams.set('connectionParams', JSON.stringify({ ticket }));
    try {
      const response = await fetch(target, { headers: { accept: 'text/event-stream' }, signal: this.#controller.signal });
      this.status = response.status;
      const reader = response.body?.getReader();
      const decoder = new TextDecoder();
      while (reader) {
        const { done, value } = await reader.read();
        if (done) break;
        this.text += decoder.decode(value, { stream: true });
      }
    } catch (error) {
      if (!this.#controller.signal.aborted) throw error;
    } finally {
      this.ended = true;
    }
  }

  get events(): SseEvent[] {
    return parseEvents(this.text);
  }

  /** The parsed data of the data events so far. */
  get data(): unknown[] {
    return this.events.filter(isData).map((event) => JSON.parse(event.data) as unknown);
  }

  /** Waits until `check` holds of the events so far (true), or the stream ended or `timeoutMs` passed without it (false). */
  async waitFor(check: (events: SseEvent[]) => boolean, timeoutMs = 5_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (check(this.events)) return true;
      if (this.ended || Date.now() > deadline) return check(this.events);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  async close() {
    this.#controller.abort();
    await this.#done;
    if (this.failure !== undefined) throw this.failure;
  }
}
