import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Which workspace packages each may import (DESIGN.md: schemas ← protocol ← (replica, sync-server) ← orders ← apps; durable-sqlite, a leaf, under the server and the processor). */
const allowed: Record<string, { dir: string; may: string[]; typesOnly?: string[] }> = {
  '@pourover/schemas': { dir: 'schemas', may: [] },
  '@pourover/durable-sqlite': { dir: 'packages/durable-sqlite', may: [] },
  '@pourover/protocol': { dir: 'packages/protocol', may: ['@pourover/schemas'] },
  '@pourover/sync-server': { dir: 'sync-server', may: ['@pourover/schemas', '@pourover/protocol', '@pourover/durable-sqlite'] },
  '@pourover/replica': {
    dir: 'packages/replica',
    may: ['@pourover/schemas', '@pourover/protocol'],
    typesOnly: ['@pourover/sync-server'],
  },
  '@pourover/orders': {
    dir: 'packages/orders',
    may: ['@pourover/schemas', '@pourover/protocol', '@pourover/replica'],
  },
  '@pourover/processor': {
    dir: 'apps/processor',
    may: ['@pourover/schemas', '@pourover/protocol', '@pourover/replica', '@pourover/orders', '@pourover/durable-sqlite'],
  },
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules') return [];
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

describe('package dependencies', () => {
  it.each(Object.entries(allowed))('%s imports only the packages below it, by name', (_name, rule) => {
    const offences: string[] = [];
    for (const file of sources(join(root, rule.dir))) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/^(import|export)( type)? [^;]*? from '([^']+)';/gms)) {
        const [, , typeOnly, target = ''] = match;
        const where = relative(root, file);
        if (target.startsWith('.') && !join(file, '..', target).startsWith(join(root, rule.dir))) {
          offences.push(`${where}: relative import out of its package: ${target}`);
        }
        if (!target.startsWith('@pourover/')) continue;
        const ok = rule.may.includes(target) || (typeOnly !== undefined && rule.typesOnly?.includes(target));
        if (!ok) offences.push(`${where}: imports ${typeOnly ? 'types of ' : ''}${target}`);
      }
    }
    expect(offences).toEqual([]);
  });
});
