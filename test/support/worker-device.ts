import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type { DeviceRequests, DeviceWorkerData, Emission, RequestMessage, RequestName, WorkerMessage } from './device-worker.ts';

export type { EditResult, Emission, OrderSummary } from './device-worker.ts';

const entry = fileURLToPath(new URL('./device-worker-boot.mjs', import.meta.url));

/**
 * A shopper device running in its own worker thread (see `device-worker.ts`),
 * seen from the main thread: one async method per request, and every
 * emission of the device's `orders$`, in order, as it arrived.
 */
export class WorkerDevice {
  readonly name: string;
  /** Every `orders$` emission so far; `take()` hands over the new ones. */
  readonly emissions: Emission[] = [];
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void; op: RequestName }>();
  #next = 0;
  #taken = 0;
  #failure: Error | undefined;

  private constructor(name: string, worker: Worker) {
    this.name = name;
    this.#worker = worker;
  }

  /** Starts the worker: it signs in as a new device of the demo shopper and opens its shop. */
  static async start(server: { url: string; port: number }, name: string): Promise<WorkerDevice> {
    const workerData: DeviceWorkerData = { name, serverUrl: server.url, serverPort: server.port };
    const worker = new Worker(entry, { workerData });
    const device = new WorkerDevice(name, worker);
    const ready = new Promise<void>((resolve, reject) => {
      worker.on('message', (message: WorkerMessage) => {
        if (message.kind === 'ready') resolve();
        else device.#received(message);
      });
      const fail = (error: Error) => {
        device.#failure = error;
        reject(error);
        for (const pending of device.#pending.values()) pending.reject(error);
        device.#pending.clear();
      };
      worker.on('error', fail);
      worker.on('exit', (code) => fail(new Error(`device ${name}'s worker exited with ${code}`)));
    });
    await ready;
    return device;
  }

  #received(message: WorkerMessage) {
    if (message.kind === 'emission') {
      this.emissions.push(message.emission);
      return;
    }
    if (message.kind !== 'response') return;
    const pending = this.#pending.get(message.id);
    if (!pending) return;
    this.#pending.delete(message.id);
    if (message.ok) pending.resolve(message.value);
    else pending.reject(new Error(`device ${this.name}, ${pending.op}: ${message.error}`));
  }

  #call<K extends RequestName>(op: K, ...args: DeviceRequests[K]['args']): Promise<DeviceRequests[K]['result']> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = ++this.#next;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject, op });
      this.#worker.postMessage({ id, op, args } as RequestMessage);
    });
  }

  /**
   * The emissions that arrived since the last call. Emissions are posted
   * before the response of any request made after them, so after awaiting a
   * request this includes everything the device showed up to its answer.
   */
  take(): Emission[] {
    const fresh = this.emissions.slice(this.#taken);
    this.#taken = this.emissions.length;
    return fresh;
  }

  catalog = () => this.#call('catalog');
  beginRun = (epoch: number) => this.#call('beginRun', epoch);
  createDraft = () => this.#call('createDraft');
  addItem = (orderId: string, itemId: string, count: number) => this.#call('addItem', orderId, itemId, count);
  setCount = (orderId: string, itemId: string, count: number) => this.#call('setCount', orderId, itemId, count);
  setNote = (orderId: string, note: string) => this.#call('setNote', orderId, note);
  place = (orderId: string) => this.#call('place', orderId);
  /** Unplugs the device's network link: open connections are cut and new ones refused. */
  offline = () => this.#call('offline');
  online = () => this.#call('online');
  /** Closes the shop (its replica and database); the device's data stays in its thread. */
  close = () => this.#call('close');
  reopen = () => this.#call('reopen');
  snapshot = () => this.#call('snapshot');
  notices = () => this.#call('notices');
  inSync = (timeoutMs: number) => this.#call('inSync', timeoutMs);

  /** Closes the shop and the link, and ends the thread. */
  async stop() {
    if (this.#failure) return;
    const exited = new Promise((resolve) => this.#worker.once('exit', resolve));
    await this.#call('shutdown').catch(() => {});
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    await this.#worker.terminate();
  }
}
