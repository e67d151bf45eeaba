export * from './errors.ts';
export * from './sync.ts';
export * from './stream.ts';
export * from './batch.ts';
export * from './watch.ts';
export * from './device-proof.ts';
export * from './syncgroup.ts';
export * from './stream-ticket.ts';
