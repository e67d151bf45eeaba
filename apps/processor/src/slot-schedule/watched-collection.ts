import type { WatchEvent } from '@pourover/protocol';
import type { ZodType } from 'zod';

/**
 * The live documents of one watched collection, by id, as a watch tells
 * them: filled from the initial state, then kept by each change. A watch
 * started again fills a fresh copy, which replaces the old one only once
 * complete, so a plan never sees half a collection.
 */
export class WatchedCollection<T extends { id: string }> {
  readonly #schema: ZodType<T>;
  readonly #warn: (message: string) => void;
  readonly #changed: () => void;
  #documents = new Map<string, T>();
  #filling = new Map<string, T>();
  #ready = false;

  /** `changed` is called once the initial state is in, and after each change. */
  constructor(schema: ZodType<T>, warn: (message: string) => void, changed: () => void) {
    this.#schema = schema;
    this.#warn = warn;
    this.#changed = changed;
  }

  /** Whether the initial state has come in whole. */
  get ready(): boolean {
    return this.#ready;
  }

  get documents(): Map<string, T> {
    return this.#documents;
  }

  /** A new watch is coming: its initial state fills a fresh copy. */
  restart(): void {
    this.#filling = new Map();
  }

  receive(event: WatchEvent): void {
    if (event.kind === 'initialized') {
      this.#documents = this.#filling;
      this.#filling = new Map();
      this.#ready = true;
      this.#changed();
      return;
    }
    const into = event.kind === 'initial' ? this.#filling : this.#documents;
    for (const { document } of event.documents) {
      const { _deleted, ...fields } = document;
      if (_deleted) {
        into.delete(document.id);
        continue;
      }
      const parsed = this.#schema.safeParse(fields);
      if (parsed.success) into.set(parsed.data.id, parsed.data);
      else this.#warn(`ignoring document ${document.id}: it does not fit its schema`);
    }
    if (event.kind === 'change') this.#changed();
  }
}
