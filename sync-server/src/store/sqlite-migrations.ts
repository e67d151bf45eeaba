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
];
