/**
 * One device in a child process of its own (RxDB allows 13 open collections
 * per process and a replica has six), driven by its parent over IPC: see
 * `replica-process.ts`.
 */
import { editDraft } from '@pourover/schemas';
import type { SyncStatus } from '@pourover/replica';
import { firstValueFrom } from 'rxjs';
import { z } from 'zod';
import { closeDevice, openDevice, reopenDevice, type Device } from './devices.ts';
import { draftOrder } from './documents.ts';

const release = z.object({ protocol: z.number().int().optional(), appBuild: z.string().optional() });
const request = z.object({
  id: z.number().int(),
  command: z.discriminatedUnion('op', [
    z.object({
      op: z.literal('open'),
      server: z.object({ url: z.string(), port: z.number().int() }),
      name: z.string(),
      token: z.string().optional(),
      release: release.optional(),
    }),
    z.object({ op: z.literal('setNote'), draftId: z.string(), note: z.string() }),
    z.object({ op: z.literal('addDraft'), draftId: z.string(), note: z.string() }),
    z.object({ op: z.literal('status') }),
    z.object({ op: z.literal('update'), release }),
    z.object({ op: z.literal('awaitInSync') }),
    z.object({ op: z.literal('notes') }),
    z.object({ op: z.literal('profile') }),
    z.object({ op: z.literal('editProfile'), patch: z.record(z.string(), z.string()) }),
    z.object({ op: z.literal('close') }),
  ]),
});
export type ChildCommand = z.infer<typeof request>['command'];
export type ChildResponse = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

let device: Device | undefined;
const live = () => {
  if (!device) throw new Error('the device is not open');
  return device;
};

/**
 * A new draft holding `note`, or, when the draft came from the server while
 * it was being made, the draft as it came (nothing is inserted then).
 */
async function insertOrFind(draftId: string, note: string) {
  const drafts = live().replica.collections.draftOrders;
  try {
    await drafts.insert(draftOrder(note, draftId));
    return null;
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'CONFLICT') throw error;
    return drafts.findOne(draftId).exec();
  }
}

/** Sets a draft's note the way an app does: an edit of its Yjs document, or a new draft holding it. */
async function setNote(draftId: string, note: string) {
  const drafts = live().replica.collections.draftOrders;
  const existing = (await drafts.findOne(draftId).exec()) ?? (await insertOrFind(draftId, note));
  if (!existing) return;
  await existing.incrementalModify((draft) => ({ ...draft, note, ydoc: editDraft(String(draft['ydoc']), [{ kind: 'setNote', note }]) }));
}

async function run(command: ChildCommand): Promise<unknown> {
  switch (command.op) {
    case 'open': {
      const { token, release } = command;
      device = await openDevice(command.server, command.name, { ...release, ...(token === undefined ? {} : { token }) });
      return device.token;
    }
    case 'setNote':
      return setNote(command.draftId, command.note);
    case 'addDraft':
      await live().replica.collections.draftOrders.insert(draftOrder(command.note, command.draftId));
      return firstValueFrom(live().replica.status$) satisfies Promise<SyncStatus>;
    case 'status':
      return firstValueFrom(live().replica.status$) satisfies Promise<SyncStatus>;
    case 'update':
      device = await reopenDevice(live(), command.release);
      return undefined;
    case 'awaitInSync':
      return live().replica.awaitInSync();
    case 'notes': {
      const drafts = await live().replica.collections.draftOrders.find().exec();
      return Object.fromEntries(drafts.map((draft) => [draft.primary, String(draft.get('note'))]));
    }
    case 'profile':
      return (await live().replica.collections.user.findOne().exec())?.toJSON() ?? null;
    case 'editProfile': {
      // As the shop's profile page saves a field: a patch of the document the device holds.
      const profile = await live().replica.collections.user.findOne().exec();
      if (!profile) throw new Error('the device holds no profile');
      await profile.incrementalPatch(command.patch);
      return undefined;
    }
    case 'close':
      if (device) await closeDevice(device);
      device = undefined;
      return undefined;
  }
}

// One request at a time, in the order sent: a device's writes are sequential, as a user's are.
let queue = Promise.resolve();
process.on('message', (message: unknown) => {
  const { id, command } = request.parse(message);
  queue = queue.then(async () => {
    let response: ChildResponse;
    try {
      response = { id, ok: true, value: await run(command) };
    } catch (error) {
      response = { id, ok: false, error: (error as Error).stack ?? String(error) };
    }
    process.send?.(response);
    if (command.op === 'close') process.disconnect();
  });
});
// Stop with the parent, however it ends.
process.on('disconnect', () => process.exit(0));
