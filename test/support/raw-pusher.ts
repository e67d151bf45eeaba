import { createSyncClient, errorCodeOf, fixedCredentials, withRecovery, type SyncClient } from '@pourover/sync-client';
import type { SyncStatus } from '@pourover/replica';
import type { WireDocument } from '@pourover/protocol';
import type { DeviceRelease } from './devices.ts';
import { draftOrder } from './documents.ts';
import { waitFor } from './wait-for.ts';

/** How long a push cut by a node going away waits before it is sent again. */
const RETRY_MS = 250;
/** The most drafts one push carries, so that what waited goes in a few pushes. */
const BATCH = 50;

/**
 * A light device that speaks the sync protocol itself, with no database:
 * it pushes the drafts it writes in order, those waiting together, each push
 * until the server takes it. An `UNAVAILABLE` answer is waited out as the server asks
 * (the sync client's recovery), a cut connection tried again. At
 * `UPDATE_NEEDED` it stops sending, as the replica does, and what it writes
 * from then on waits unsent until `update` gives it a newer release.
 */
export class RawPusher {
  readonly #url: string;
  readonly #token: string;
  #client: SyncClient;
  readonly #queue: WireDocument[] = [];
  #updateNeeded = false;
  #pumping = false;
  #closed = false;

  constructor(options: { url: string; token: string; release: DeviceRelease }) {
    this.#url = options.url;
    this.#token = options.token;
    this.#client = this.#clientFor(options.release);
  }

  #clientFor(release: DeviceRelease): SyncClient {
    return createSyncClient({
      url: this.#url,
      token: () => this.#token,
      ...(release.protocol === undefined ? {} : { protocol: release.protocol }),
      ...(release.appBuild === undefined ? {} : { appBuild: release.appBuild }),
    });
  }

  /** Writes a new draft holding `note`; the status just after. */
  addDraft = async (draftId: string, note: string): Promise<SyncStatus> => {
    this.#queue.push({ ...draftOrder(note, draftId), _deleted: false });
    void this.#pump();
    return this.status();
  };

  status = async (): Promise<SyncStatus> => ({
    state: this.#updateNeeded ? 'update-needed' : this.#queue.length > 0 ? 'syncing' : 'idle',
    unsent: this.#queue.length,
    lastError: null,
  });

  /** Speaks `release` from now on, and sends what waited. */
  update = async (release: DeviceRelease): Promise<void> => {
    this.#client = this.#clientFor(release);
    this.#updateNeeded = false;
    void this.#pump();
  };

  awaitInSync = (): Promise<void> => waitFor(`${this.#token.slice(0, 8)}… to send every draft`, () => this.#queue.length === 0, 30_000);

  close = async (): Promise<void> => {
    this.#closed = true;
  };

  async #pump() {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#queue.length > 0 && !this.#updateNeeded && !this.#closed) {
        const rows = this.#queue.slice(0, BATCH).map((draft) => ({ assumedMasterState: null, newDocumentState: draft }));
        try {
          await withRecovery(fixedCredentials(this.#token), () => this.#client.sync.push.mutate({ collection: 'draftOrders', rows }));
          this.#queue.splice(0, rows.length);
        } catch (error) {
          if (errorCodeOf(error) === 'UPDATE_NEEDED') this.#updateNeeded = true;
          else await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        }
      }
    } finally {
      this.#pumping = false;
    }
  }
}
