import { createSyncClient, fixedCredentials, withRecovery, type Credentials, type SyncClient } from '@pourover/sync-client';
import type { StreamEvent } from '@pourover/protocol';
import { EventSource } from 'eventsource';
import { draftOrder } from './documents.ts';

/**
 * A device without a database: one live stream on one server node and
 * pushes through another (or the same). It records when each draft first
 * arrives on its stream and every checkpoint it was given, in order, which
 * is all a test of the stream's ordering or a latency figure needs.
 */
export class LightDevice {
  readonly name: string;
  /** Draft id → when it first arrived on the stream (performance.now()). */
  readonly arrived = new Map<string, number>();
  /** The stream's checkpoints of the device's own replica, in arrival order. */
  readonly checkpoints: number[] = [];
  readonly #push: SyncClient;
  readonly #stream: SyncClient;
  readonly #credentials: Credentials;
  #subscription: { unsubscribe(): void } | undefined;
  #errors: unknown[] = [];

  constructor(options: { name: string; token: string; streamUrl: string; pushUrl: string }) {
    this.name = options.name;
    this.#stream = createSyncClient({ url: options.streamUrl, token: () => options.token, EventSource });
    this.#push = createSyncClient({ url: options.pushUrl, token: () => options.token });
    this.#credentials = fixedCredentials(options.token);
  }

  /** Opens the live stream; resolves once the server says it listens. */
  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#subscription = this.#stream.sync.stream.subscribe(
        { lastEventId: null },
        {
          onData: ({ data }) => {
            const event = data as StreamEvent;
            if (event.kind === 'ready') return resolve();
            if (event.collection !== 'draftOrders') return;
            const at = performance.now();
            this.checkpoints.push(event.checkpoint.seq);
            for (const document of event.documents) if (!this.arrived.has(document.id)) this.arrived.set(document.id, at);
          },
          onError: (error) => {
            this.#errors.push(error);
            reject(error);
          },
        },
      );
    });
  }

  /**
   * Pushes a new draft; resolves when the server has acknowledged it, with
   * when the acknowledged attempt was sent (performance.now()). A refused
   * push is sent again after the server's Retry-After, as a device's are.
   */
  async pushDraft(id: string): Promise<number> {
    const draft = { ...draftOrder(`from ${this.name}`, id), _deleted: false };
    let sent = NaN;
    const response = await withRecovery(this.#credentials, () => {
      sent = performance.now();
      return this.#push.sync.push.mutate({ collection: 'draftOrders', rows: [{ assumedMasterState: null, newDocumentState: draft }] });
    });
    if (response.conflicts.length > 0) throw new Error(`${this.name}: the new draft ${id} met a conflict`);
    return sent;
  }

  /** Errors the stream reported (a healthy stream reports none). */
  get errors(): readonly unknown[] {
    return this.#errors;
  }

  close() {
    this.#subscription?.unsubscribe();
  }
}
