import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from './support/server-process.ts';

function storeSignIn(server: ServerProcess, code: string) {
  return fetch(`${server.url}/trpc/auth.storeSignIn`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code }),
  });
}

describe('the store owner’s sign-in code, made on the server’s console', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-owner-code-'));
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess(dir);
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is printed once when the demo starts, and signs the owner in once', async () => {
    expect(server.ownerCode).toMatch(/^[A-Z2-9]{8}$/);
    expect((await storeSignIn(server, server.ownerCode ?? '')).status).toBe(200);
    expect((await storeSignIn(server, server.ownerCode ?? '')).status).toBe(401);
  });

  it('is made anew by `pourover-server owner-code` while the server runs', async () => {
    const code = await server.newOwnerCode();
    expect(code).toMatch(/^[A-Z2-9]{8}$/);
    const answer = await storeSignIn(server, code);
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { result: { data: { blessing: string } } }).result.data.blessing).toBe('bluebottle');
  });
});
