export { startServer, MAX_BODY_BYTES, type RunningServer, type ServerOptions } from './server/start-server.ts';
export { serverLogger, logLevel, type Logger, type LogLevel } from './http/logger.ts';
export type { AppRouter } from './trpc/app-router.ts';
export { SqliteStore } from './store/sqlite/sqlite-store.ts';
export { PostgresStore, type PostgresStoreOptions } from './store/postgres/postgres-store.ts';
export type { Store, StoredDocument, Write, Expectation, CommitResult } from './store/store.ts';
export { signBlessing, verifyBlessing } from './auth/blessing-token.ts';
export { loadServerKey, type ServerKey } from './auth/server-key.ts';
