import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Which workspace packages each may import (schemas ← protocol ← sync-client ← replica ← orders ← apps; the server beside
 * the clients, which take only its router's type; durable-sqlite and logging, leaves, under the server and the processor). An entry
 * with a subpath (`@pourover/sync-server/app`) allows that entry point only. `wiring` names the one file of a package
 * that may import more: the server binary's app wiring, which hands the shop's rules to the engine.
 */
const allowed: Record<string, { dir: string; may: string[]; typesOnly?: string[]; wiring?: { file: string; may: string[] } }> = {
  '@pourover/schemas': { dir: 'schemas', may: [] },
  '@pourover/durable-sqlite': { dir: 'packages/durable-sqlite', may: [] },
  '@pourover/logging': { dir: 'packages/logging', may: [] },
  '@pourover/protocol': { dir: 'packages/protocol', may: ['@pourover/schemas'] },
  '@pourover/sync-server': {
    dir: 'sync-server',
    may: ['@pourover/schemas', '@pourover/protocol', '@pourover/durable-sqlite', '@pourover/logging'],
    wiring: { file: 'sync-server/src/app/pourover-app.ts', may: ['@pourover/orders/server'] },
  },
  '@pourover/sync-client': {
    dir: 'packages/sync-client',
    may: ['@pourover/protocol'],
    typesOnly: ['@pourover/sync-server'],
  },
  '@pourover/replica': {
    dir: 'packages/replica',
    may: ['@pourover/schemas', '@pourover/protocol', '@pourover/sync-client'],
  },
  '@pourover/orders': {
    dir: 'packages/orders',
    may: ['@pourover/schemas', '@pourover/protocol', '@pourover/replica', '@pourover/sync-server/app'],
  },
  '@pourover/processor': {
    dir: 'apps/processor',
    may: ['@pourover/schemas', '@pourover/protocol', '@pourover/sync-client', '@pourover/durable-sqlite', '@pourover/logging'],
  },
  '@pourover/shared-list': {
    dir: 'apps/shared-list',
    may: ['@pourover/schemas', '@pourover/protocol', '@pourover/replica', '@pourover/sync-server/app'],
  },
  '@pourover/shop': {
    dir: 'apps/shop',
    may: ['@pourover/schemas', '@pourover/protocol', '@pourover/sync-client', '@pourover/replica', '@pourover/orders'],
  },
};

/** A package's test code: its tests, and the folders of helpers and suites they share. */
const isTestCode = (name: string) => /\.(test|pg\.test|e2e)\.tsx?$/.test(name) || name === 'test' || name === 'testing';

/** The package an import names: `@pourover/sync-server/testing` is `@pourover/sync-server`. */
const packageOf = (target: string) => target.split('/').slice(0, 2).join('/');

/** A package's product code: every source file but its test code. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist' || isTestCode(name)) return [];
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

/** Every workspace package: each folder the root `package.json`'s workspaces name that holds a package. */
function workspacePackages(): string[] {
  const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces: string[] };
  const dirs = workspaces.flatMap((pattern) =>
    pattern.endsWith('/*') ? readdirSync(join(root, pattern.slice(0, -2))).map((name) => join(pattern.slice(0, -2), name)) : [pattern],
  );
  return dirs.flatMap((dir) => {
    try {
      return [(JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as { name: string }).name];
    } catch {
      return [];
    }
  });
}

describe('package dependencies', () => {
  it('has a rule for every package and app of the workspace', () => {
    expect(workspacePackages().sort()).toEqual(Object.keys(allowed).sort());
  });

  it.each(Object.entries(allowed))('%s imports only the packages below it, by name, and no test code', (_name, rule) => {
    const offences: string[] = [];
    for (const file of sources(join(root, rule.dir))) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/^(import|export)( type)? [^;]*? from '([^']+)';/gms)) {
        const [, , typeOnly, target = ''] = match;
        const where = relative(root, file);
        if (target.startsWith('.') && !join(file, '..', target).startsWith(join(root, rule.dir))) {
          offences.push(`${where}: relative import out of its package: ${target}`);
        }
        if (target.startsWith('.') && join(file, '..', target).split('/').some(isTestCode))
          offences.push(`${where}: imports test code: ${target}`);
        if (target === 'vitest' || target.startsWith('vitest/')) offences.push(`${where}: imports ${target}`);
        if (!target.startsWith('@pourover/')) continue;
        const named = packageOf(target);
        const wired = rule.wiring?.file === where && rule.wiring.may.includes(target);
        const ok =
          rule.may.includes(named) || rule.may.includes(target) || wired || (typeOnly !== undefined && rule.typesOnly?.includes(named));
        if (!ok) offences.push(`${where}: imports ${typeOnly ? 'types of ' : ''}${target}`);
      }
    }
    expect(offences).toEqual([]);
  });
});
