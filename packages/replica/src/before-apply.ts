import type { WireDocument } from '@pourover/protocol';
import type { CollectionName } from '@pourover/protocol';

/**
 * Runs before documents from the server are written locally, in the order
 * they came; the write waits for it. A rejection leaves them unwritten, to
 * be pulled again.
 */
export type BeforeApply = (collection: CollectionName, documents: readonly WireDocument[]) => Promise<void>;
