export * from './primitives.ts';
export * from './catalog.ts';
export * from './availability.ts';
export * from './user.ts';
export * from './order.ts';
export * from './blessing.ts';
export * from './registry.ts';
export * from './rx-schema.ts';
