// The few PouchDB and express-pouchdb calls the benchmarks make (the packages ship no types).
declare module 'pouchdb-core' {
  type Doc = { _id: string; _rev?: string; [field: string]: unknown };
  type Replication = Promise<{ docs_written: number }> & {
    on(event: string, listener: (...args: unknown[]) => void): Replication;
    cancel(): void;
  };
  class PouchDB {
    constructor(name: string, options?: Record<string, unknown>);
    static plugin(plugin: unknown): typeof PouchDB;
    static defaults(options: Record<string, unknown>): typeof PouchDB;
    bulkDocs(docs: Doc[]): Promise<unknown[]>;
    put(doc: Doc): Promise<{ rev: string }>;
    get(id: string): Promise<Doc>;
    info(): Promise<{ doc_count: number; update_seq: number | string }>;
    changes(options: Record<string, unknown>): { on(event: string, listener: (change: { id: string }) => void): unknown; cancel(): void };
    destroy(): Promise<void>;
    close(): Promise<void>;
    replicate: {
      from(source: PouchDB, options?: Record<string, unknown>): Replication;
      to(target: PouchDB, options?: Record<string, unknown>): Replication;
    };
  }
  export default PouchDB;
}
declare module 'pouchdb-browser' {
  import PouchDB from 'pouchdb-core';
  export default PouchDB;
}
declare module 'pouchdb-adapter-memory';
declare module 'pouchdb-adapter-http';
declare module 'pouchdb-replication';
declare module 'pouchdb-mapreduce';
declare module 'express-pouchdb' {
  const expressPouchDB: (constructor: unknown, options: Record<string, unknown>) => (req: unknown, res: unknown, next: unknown) => void;
  export default expressPouchDB;
}
