/**
 * Forward-only schema versions of the SQLite store, applied in order at open;
 * `PRAGMA user_version` records how many have run.
 */
export const sqliteMigrations: readonly string[] = [
  `CREATE TABLE replicas (
     name TEXT PRIMARY KEY,
     head INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE TABLE documents (
     replica TEXT NOT NULL,
     collection TEXT NOT NULL,
     id TEXT NOT NULL,
     body TEXT NOT NULL,
     seq INTEGER NOT NULL,
     updated_at TEXT NOT NULL,
     PRIMARY KEY (replica, collection, id)
   ) WITHOUT ROWID;
   CREATE UNIQUE INDEX documents_by_seq ON documents (replica, seq);
   CREATE INDEX documents_by_collection ON documents (replica, collection, seq);`,
  `ALTER TABLE documents ADD COLUMN commit_no INTEGER NOT NULL DEFAULT 0;
   CREATE INDEX documents_by_commit ON documents (collection, commit_no);
   CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
   CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;`,
  // Documents move to a rowid table. WITHOUT ROWID keeps each body in the
  // primary key's tree, which SQLite advises only for rows far smaller than
  // a typical document (about 1.5 KB): a write cost about 2.5× the CPU and WAL pages.
  `CREATE TABLE documents_rowid (
     replica TEXT NOT NULL,
     collection TEXT NOT NULL,
     id TEXT NOT NULL,
     body TEXT NOT NULL,
     seq INTEGER NOT NULL,
     updated_at TEXT NOT NULL,
     commit_no INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (replica, collection, id)
   );
   INSERT INTO documents_rowid (replica, collection, id, body, seq, updated_at, commit_no)
     SELECT replica, collection, id, body, seq, updated_at, commit_no FROM documents ORDER BY replica, seq;
   DROP TABLE documents;
   ALTER TABLE documents_rowid RENAME TO documents;
   CREATE UNIQUE INDEX documents_by_seq ON documents (replica, seq);
   CREATE INDEX documents_by_collection ON documents (replica, collection, seq);
   CREATE INDEX documents_by_commit ON documents (collection, commit_no);`,
  // The store's epoch: a name for this history of the data, renewed by a restore, so devices can tell theirs is gone.
  `CREATE TABLE store_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
   INSERT INTO store_meta (name, value) VALUES ('epoch', lower(hex(randomblob(8))));`,
];
