/**
 * `npm run bench:compare -- [commit] [--quick] [--only groups] [--rounds n]`:
 * today's bench beside an older commit's, in one go. The commit (by default
 * f8a1907, the code before issue 22's restructure) is checked out in a
 * temporary git worktree, its dependencies installed, and the two benches run
 * interleaved (old, new, old, new…) with the same flags so the machine's drift
 * hits both; one table then gives each figure's best round on each side,
 * whether today's is within 10%, and each side's ratio to the baseline the
 * bench measured beside it. It is a report: it fails only on a crash.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { compare, comparisonTable, figuresFromJson, figuresFromTable, type RunFigures } from './comparison.ts';

const BEFORE_RESTRUCTURE = 'f8a1907';
const root = fileURLToPath(new URL('../..', import.meta.url));

const cli = parseArgs({
  options: { quick: { type: 'boolean' }, only: { type: 'string' }, rounds: { type: 'string' }, json: { type: 'string' } },
  allowPositionals: true,
  strict: true,
});
const parsed = z
  .object({
    commit: z.string().regex(/^[\w.][\w./~^-]*$/, 'a commit, branch or tag'),
    quick: z.boolean().default(false),
    only: z
      .string()
      .regex(/^[a-z,]+$/, 'group names separated by commas')
      .optional(),
    /** Rounds per side: at least two, so one slow run of either side shows as the other round's better figure. */
    rounds: z.coerce.number().int().min(2).max(10).default(2),
    /** Where to write every round's figures and the comparison, as JSON. */
    json: z.string().min(1).optional(),
  })
  .strict()
  .safeParse({ ...cli.values, commit: cli.positionals[0] ?? BEFORE_RESTRUCTURE });
if (!parsed.success || cli.positionals.length > 1) {
  process.stderr.write(`bench:compare: ${parsed.success ? 'one commit at most' : z.prettifyError(parsed.error)}\n`);
  process.exit(2);
}
const args = parsed.data;
const benchFlags = [...(args.quick ? ['--quick'] : []), ...(args.only ? ['--only', args.only] : [])];

const git = (...gitArgs: string[]) => execFileSync('git', gitArgs, { cwd: root, encoding: 'utf8' }).trim();
const say = (text: string) => process.stderr.write(`bench:compare: ${text}\n`);

/** The child running now, stopped (with its whole process group) when this process is asked to stop. */
let running: ChildProcess | undefined;
let stopped: NodeJS.Signals | undefined;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    stopped ??= signal;
    say(`${signal}: stopping, then removing the temporary worktree`);
    if (running?.pid !== undefined && running.exitCode === null) process.kill(-running.pid, signal);
  });
}

/**
 * Runs a command in its own process group (so a stop reaches the bench's servers too), with `env` added; resolves with
 * what it printed on stdout.
 */
function run(command: string, commandArgs: string[], options: { cwd: string; env?: Record<string, string> }): Promise<string> {
  const { cwd } = options;
  if (stopped) return Promise.reject(new Error(`stopped by ${stopped}`));
  return new Promise((resolve, reject) => {
    const env = { ...process.env, ...options.env };
    const child = spawn(command, commandArgs, { cwd, env, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    running = child;
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      running = undefined;
      if (code === 0) resolve(stdout);
      else reject(new Error(`${command} ${commandArgs.join(' ')} in ${cwd} ended with ${signal ?? `exit code ${code}`}\n${stdout}`));
    });
  });
}

/** Folders named node_modules in a checkout (the root's and any workspace's), relative to it. */
function moduleFolders(dir: string, depth = 0): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== '.git')
    .flatMap((entry) =>
      entry.name === 'node_modules'
        ? [entry.name]
        : depth < 3
          ? moduleFolders(join(dir, entry.name), depth + 1).map((f) => join(entry.name, f))
          : [],
    );
}

/** Moves every node_modules folder of `from` to the same place under `to` (a rename: same file system, no copy). */
function moveModules(from: string, to: string): void {
  for (const folder of moduleFolders(from)) {
    mkdirSync(dirname(join(to, folder)), { recursive: true });
    renameSync(join(from, folder), join(to, folder));
  }
}

/**
 * An install kept between runs, keyed by the lockfile's hash: the old commit's
 * node_modules go there when the worktree is removed and come back when the
 * next run's lockfile is the same, which spares npm install (and compiling
 * better-sqlite3). Only the latest lockfile's install is kept.
 */
const installs = join(tmpdir(), 'pourover-bench-compare-modules');

async function install(tree: string): Promise<string> {
  const key = createHash('sha256')
    .update(readFileSync(join(tree, 'package-lock.json')))
    .digest('hex')
    .slice(0, 16);
  const kept = join(installs, key);
  if (existsSync(kept)) {
    say(`reusing the install kept for this lockfile (${kept})`);
    moveModules(kept, tree);
    rmSync(kept, { recursive: true, force: true });
  } else {
    say('npm install in the temporary worktree');
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: tree });
  }
  return key;
}

function keepInstall(tree: string, key: string): void {
  for (const other of existsSync(installs) ? readdirSync(installs) : []) rmSync(join(installs, other), { recursive: true, force: true });
  mkdirSync(join(installs, key), { recursive: true });
  moveModules(tree, join(installs, key));
}

/** One bench run: its figures, from the JSON file it wrote or else from the table it printed. */
async function benchFigures(cwd: string, jsonFile: string, extraFlags: string[]): Promise<{ figures: RunFigures; from: string }> {
  rmSync(jsonFile, { force: true });
  // The bench's own temporary folders go under this run's, so a stopped bench leaves none behind.
  const printed = await run('npm', ['run', '--silent', 'bench', '--', ...benchFlags, ...extraFlags], { cwd, env: { TMPDIR: benchTmp } });
  if (existsSync(jsonFile)) return { figures: figuresFromJson(readFileSync(jsonFile, 'utf8')), from: relative(cwd, jsonFile) };
  const figures = figuresFromTable(printed);
  if (!figures.size) throw new Error(`the bench in ${cwd} wrote no figures and printed no table:\n${printed}`);
  return { figures, from: 'its printed table' };
}

const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(', ');
const sha = git('rev-parse', '--verify', `${args.commit}^{commit}`);
const oldName = `${sha.slice(0, 7)} (${git('log', '-1', '--format=%s', sha).slice(0, 60)})`;
const newName = `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--untracked-files=no') ? ' with uncommitted changes' : ''}`;
const work = mkdtempSync(join(tmpdir(), 'pourover-bench-compare-'));
const tree = join(work, 'tree');
const benchTmp = join(work, 'tmp');
mkdirSync(benchTmp);
const rounds: { old: RunFigures[]; new: RunFigures[] } = { old: [], new: [] };
const loadBefore = load();
let key: string | undefined;
let crashed = false;
try {
  say(`worktree of ${oldName} in ${tree}`);
  git('worktree', 'add', '--detach', tree, sha);
  key = await install(tree);
  for (let round = 1; round <= args.rounds; round += 1) {
    say(`round ${round}/${args.rounds}: old bench (${sha.slice(0, 7)}), load ${load()}`);
    const old = await benchFigures(tree, join(tree, 'bench-results.json'), []);
    say(`round ${round}/${args.rounds}: old figures read from ${old.from}`);
    rounds.old.push(old.figures);
    say(`round ${round}/${args.rounds}: new bench (${newName}), load ${load()}`);
    const now = await benchFigures(root, join(work, `new-${round}.json`), ['--json', join(work, `new-${round}.json`)]);
    rounds.new.push(now.figures);
  }
} catch (error) {
  crashed = true;
  say(error instanceof Error ? error.message : String(error));
} finally {
  // Reached on failure and on a stop too: the install is kept for the next run, the worktree removed, each step tried.
  const steps: [string, () => void][] = [
    ['keeping the install', () => key && existsSync(tree) && keepInstall(tree, key)],
    ['removing the worktree', () => existsSync(tree) && git('worktree', 'remove', '--force', tree)],
    ['pruning worktrees', () => git('worktree', 'prune')],
    ['removing the temporary folder', () => rmSync(work, { recursive: true, force: true })],
  ];
  for (const [what, step] of steps) {
    try {
      step();
    } catch (error) {
      crashed = true;
      say(`${what} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
if (crashed || stopped) process.exit(stopped ? 130 : 1);

const comparison = compare(rounds.old, rounds.new);
const list = (names: string[]) => names.map((name) => `\n  - ${name}`).join('');
process.stdout.write(
  [
    `\nOld: ${oldName}; new: ${newName}.`,
    `Flags: ${benchFlags.join(' ') || '(none)'}; ${args.rounds} rounds each, interleaved old, new; best round per side.`,
    `Load average (1, 5, 15 min): ${loadBefore} before, ${load()} after.\n`,
    comparisonTable(comparison.figures),
    comparison.onlyNew.length ? `\nSkipped, the old code lacks them:${list(comparison.onlyNew)}` : '',
    comparison.onlyOld.length ? `\nOnly the old bench reports:${list(comparison.onlyOld)}` : '',
    comparison.unmeasured.length ? `\nMeasured by neither side in any round:${list(comparison.unmeasured)}` : '',
    '',
  ].join('\n'),
);
if (args.json)
  writeFileSync(args.json, `${JSON.stringify({ old: sha, new: newName, flags: benchFlags, rounds, comparison }, mapsAsObjects, 2)}\n`);
process.exit(0);

function mapsAsObjects(_key: string, value: unknown): unknown {
  return value instanceof Map ? Object.fromEntries(value) : value;
}
