/**
 * Documents the authorization matrix writes: a new valid one of each
 * collection, and one changed as a device would edit it.
 */
import type { WireDocument } from '@pourover/protocol';
import { collections, editDraft } from '@pourover/schemas';
import type { MatrixCollection } from './expected-outcomes.ts';
import { orderDoc, userDoc, uuid } from '../support/test-server.ts';

const TIME = '2026-11-23T10:00:00.000Z';
const LATER = '2026-11-23T12:00:00.000Z';
let serial = 0x100000;

/** A new valid document of `collection`, with an id no other document has. */
export function freshDoc(collection: MatrixCollection): WireDocument {
  const n = (serial += 1);
  const document = (() => {
    switch (collection) {
      case 'user':
        return userDoc(n);
      case 'draftOrders':
        return orderDoc(n);
      case 'placedOrders':
        return orderDoc(n, { status: 'placed', placedTime: TIME, slotId: uuid(1) });
      case 'processedOrders':
        return orderDoc(n, { status: 'received', placedTime: TIME, receivedTime: LATER, slotId: uuid(1) });
      case 'orderRequests':
        return { id: uuid(n), _deleted: false, kind: 'cancel' };
      case 'availability':
        return { id: uuid(n), _deleted: false, start: LATER, end: LATER, capacity: 10, taken: 0, cutoff: TIME };
      case 'catalog':
        return {
          id: uuid(n),
          _deleted: false,
          name: `Item ${n}`,
          description: '',
          kind: 'coffee',
          priceCents: 100,
          image: 'a'.repeat(64),
          available: true,
        };
    }
  })();
  const { _deleted, ...fields } = document;
  collections[collection].schema.parse(fields);
  return document;
}

/** `document` with one field changed (a draft's through its Yjs document, as a device edits it). */
export function changed(collection: MatrixCollection, document: WireDocument): WireDocument {
  switch (collection) {
    case 'user':
    case 'catalog':
      return { ...document, name: 'Changed' };
    case 'draftOrders':
      return { ...document, note: 'changed', ydoc: editDraft(String(document['ydoc']), [{ kind: 'setNote', note: 'changed' }]) };
    case 'placedOrders':
    case 'processedOrders':
      return { ...document, note: 'changed' };
    case 'orderRequests':
      return { ...document, reason: 'changed' };
    case 'availability':
      return { ...document, capacity: 11 };
  }
}
