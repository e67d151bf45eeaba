import { defineConfig } from 'vitest/config';

const project = (name: string, root: string, extra: Record<string, unknown> = {}) => ({
  test: { name, root, include: ['**/*.test.ts'], ...extra },
});

export default defineConfig({
  test: {
    projects: [
      project('schemas', './schemas'),
      project('protocol', './packages/protocol'),
      project('replica', './packages/replica', { testTimeout: 60_000 }),
      project('orders', './packages/orders', { testTimeout: 60_000 }),
      project('sync-server', './sync-server'),
      project('test', './test', { testTimeout: 120_000, hookTimeout: 60_000 }),
    ],
  },
});
