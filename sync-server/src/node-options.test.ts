import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { SERVER_NODE_OPTIONS } from './node-options.ts';

it('starts the CLI with the server’s Node.js options', () => {
  const [shebang] = readFileSync(new URL('../bin/pourover-server.ts', import.meta.url), 'utf8').split('\n');
  expect(shebang).toBe(`#!/usr/bin/env -S npx tsx ${SERVER_NODE_OPTIONS.join(' ')}`);
});
