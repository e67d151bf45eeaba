import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SyncStatus } from '@pourover/replica';
import type { DeviceRelease } from './devices.ts';
import type { ChildCommand, ChildResponse } from './replica-child.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const child = fileURLToPath(new URL('./replica-child.ts', import.meta.url));

/**
 * A device of the demo shopper (a replica on fake-indexeddb behind its own
 * TcpLink) in a child process, so that a test can run more devices than
 * RxDB allows in one process. Each method is one request, answered in order.
 */
export class ReplicaProcess {
  readonly name: string;
  /** The device's blessing token, once open. */
  token = '';
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  #next = 0;

  private constructor(name: string, proc: ChildProcess) {
    this.name = name;
    this.#child = proc;
    proc.on('message', (message: ChildResponse) => {
      const pending = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      if (message.ok) pending?.resolve(message.value);
      else pending?.reject(new Error(`device ${name}: ${message.error}`));
    });
    proc.on('exit', (code) => {
      for (const pending of this.#pending.values()) pending.reject(new Error(`device ${name}'s process exited with ${code}`));
      this.#pending.clear();
    });
  }

  /**
   * Starts the process and signs the device in through `server` (a node, or a link in front of nodes) as a device of the
   * demo shopper, or opens it with the blessing `token` names; `release` is the app it runs (default today's).
   */
  static async open(
    server: { url: string; port: number },
    name: string,
    options: { token?: string; release?: DeviceRelease } = {},
  ): Promise<ReplicaProcess> {
    const proc = fork(child, [], { cwd: root, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const device = new ReplicaProcess(name, proc);
    device.token = String(await device.#call({ op: 'open', server, name, ...options }));
    return device;
  }

  #call(command: ChildCommand): Promise<unknown> {
    const id = (this.#next += 1);
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#child.send({ id, command });
    });
  }

  /** Sets a draft's note locally (creating the draft if the device has none); replication sends it on. */
  setNote = (draftId: string, note: string) => this.#call({ op: 'setNote', draftId, note }) as Promise<void>;
  /** Writes a new draft holding `note`; the device's sync status just after. */
  addDraft = (draftId: string, note: string) => this.#call({ op: 'addDraft', draftId, note }) as Promise<SyncStatus>;
  status = () => this.#call({ op: 'status' }) as Promise<SyncStatus>;
  /** Closes the device's app and opens the same database as `release`, as an app update does. */
  update = (release: DeviceRelease) => this.#call({ op: 'update', release }) as Promise<void>;
  awaitInSync = () => this.#call({ op: 'awaitInSync' }) as Promise<void>;
  /** The shopper's profile as the device holds it (null before it has one). */
  profile = () => this.#call({ op: 'profile' }) as Promise<Record<string, unknown> | null>;
  /** Changes fields of the profile, as the shop's profile page does; replication sends it on. */
  editProfile = (patch: Record<string, string>) => this.#call({ op: 'editProfile', patch }) as Promise<void>;
  /** Every draft on the device: id → note. */
  notes = () => this.#call({ op: 'notes' }) as Promise<Record<string, string>>;

  async close() {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    await this.#call({ op: 'close' }).catch(() => {});
    await exited;
  }
}
