/**
 * JSON for the fuzz with deep nesting and own `__proto__` keys, built and
 * written without recursing through the nesting, and mutations of a valid
 * request at random paths.
 */

/** A value nested `depth` levels deep around `inner`, expanded only when written out. */
export class Deep {
  constructor(
    readonly depth: number,
    readonly kind: 'array' | 'object',
    readonly inner: unknown,
  ) {}
}

export function serialize(value: unknown): string {
  if (value instanceof Deep) {
    const [open, close] = value.kind === 'array' ? ['[', ']'] : ['{"a":', '}'];
    return open.repeat(value.depth) + serialize(value.inner) + close.repeat(value.depth);
  }
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : serialize(item))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${serialize(record[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Sets an own property, so a key named `__proto__` stays data. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown) {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function clone(value: unknown): unknown {
  if (value instanceof Deep || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(clone);
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) setOwn(copy, key, clone((value as Record<string, unknown>)[key]));
  return copy;
}

type Path = (string | number)[];

function pathsOf(value: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (value instanceof Deep || value === null || typeof value !== 'object') return out;
  if (Array.isArray(value)) value.forEach((item, index) => pathsOf(item, [...at, index], out));
  else for (const key of Object.keys(value)) pathsOf((value as Record<string, unknown>)[key], [...at, key], out);
  return out;
}

function at(root: unknown, path: Path): unknown {
  return path.reduce<unknown>(
    (node, key) => (node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[key] : undefined),
    root,
  );
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Deep);

export type Mutation = { kind: 'set' | 'delete' | 'add' | 'wrap'; pick: number; key: string; value: unknown; depth: number };

/** A copy of `value` with each mutation applied at the path it picks. */
export function mutated(value: unknown, mutations: readonly Mutation[]): unknown {
  let root = clone(value);
  for (const mutation of mutations) {
    const paths = pathsOf(root);
    const path = paths[mutation.pick % paths.length] ?? [];
    const current = at(root, path);
    let next: unknown;
    switch (mutation.kind) {
      case 'set':
        next = mutation.value;
        break;
      case 'delete':
        next = undefined;
        break;
      case 'add':
        if (isRecord(current)) {
          setOwn(current, mutation.key, mutation.value);
          continue;
        }
        if (Array.isArray(current)) {
          current.push(mutation.value);
          continue;
        }
        next = { [mutation.key]: current };
        break;
      case 'wrap':
        next = new Deep(mutation.depth, mutation.depth % 2 === 0 ? 'array' : 'object', current);
        break;
    }
    if (path.length === 0) {
      root = next === undefined ? {} : next;
      continue;
    }
    const parent = at(root, path.slice(0, -1));
    const last = path[path.length - 1] as string | number;
    if (Array.isArray(parent) && typeof last === 'number') {
      if (next === undefined) parent.splice(last, 1);
      else parent[last] = next;
    } else if (isRecord(parent)) {
      if (next === undefined) delete parent[String(last)];
      else setOwn(parent, String(last), next);
    }
  }
  return root;
}
