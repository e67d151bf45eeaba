import type { SyncClient } from '@pourover/sync-client';
import { explain } from '../words/error-words.ts';

/** The store owner's signed-in device: the sync client, and the current token its uploads carry. */
export type OwnerSession = { client: SyncClient; token: () => string };

export type Saved = { ok: true; document: Record<string, unknown> } | { ok: false; sentence: string; latest?: Record<string, unknown> };

/**
 * Pushes one edited document of the store's, over the state the owner saw
 * (none for a new one).
 * If someone changed it meanwhile, the server's state comes back, to show.
 */
export async function saveDocument(
  session: OwnerSession,
  collection: StoreCollection,
  before: Record<string, unknown> | null,
  after: Record<string, unknown>,
): Promise<Saved> {
  return pushDocument(session, collection, { before, after, deleted: false });
}

/** Deletes one of the store's documents, as the owner saw it (a change made meanwhile comes back instead). */
export async function removeDocument(session: OwnerSession, collection: StoreCollection, before: Record<string, unknown>): Promise<Saved> {
  return pushDocument(session, collection, { before, after: before, deleted: true });
}

/** The store's collections the owner edits. */
export type StoreCollection = 'availability' | 'catalog' | 'slotSchedule' | 'storeSettings';

async function pushDocument(
  session: OwnerSession,
  collection: StoreCollection,
  change: { before: Record<string, unknown> | null; after: Record<string, unknown>; deleted: boolean },
): Promise<Saved> {
  const { before, after, deleted } = change;
  try {
    const { conflicts } = await session.client.sync.push.mutate({
      collection,
      rows: [
        {
          assumedMasterState: before && { ...before, id: String(before['id']), _deleted: false },
          newDocumentState: { ...after, id: String(after['id']), _deleted: deleted },
        },
      ],
    });
    const [latest] = conflicts;
    if (latest)
      return { ok: false, sentence: 'Someone changed this meanwhile; it now shows their change. Edit it again if needed.', latest };
    return { ok: true, document: after };
  } catch (error) {
    return { ok: false, sentence: explain(error).sentence };
  }
}

/** Uploads a product photo; the server answers the hash it keeps the re-encoded photo under. */
export async function uploadPhoto(session: OwnerSession, file: File): Promise<string> {
  const response = await fetch('/images', {
    method: 'POST',
    headers: { authorization: `Bearer ${session.token()}`, 'content-type': file.type },
    body: file,
  });
  const body = (await response.json().catch(() => ({}))) as { hash?: string; error?: { message?: string; data?: { code?: string } } };
  if (!response.ok || !body.hash)
    throw Object.assign(new Error(body.error?.message ?? ''), { data: { code: body.error?.data?.code ?? 'INTERNAL' } });
  return body.hash;
}
