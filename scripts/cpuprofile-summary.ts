/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): the functions with the most self time and the most
 * inclusive time (the samples with the function anywhere on their stack), and self time by package, each as a share
 * of the samples that were not idle. Usage: `npx tsx scripts/cpuprofile-summary.ts FILE.cpuprofile [TOP] [LAST_SECONDS]`;
 * with LAST_SECONDS, only the profile's last seconds count (a load's, without the program's start).
 */
import { readFileSync } from 'node:fs';

type ProfileNode = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
};
type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };

const [file, topArg, lastArg] = process.argv.slice(2);
if (!file) throw new Error('usage: cpuprofile-summary.ts FILE.cpuprofile [TOP]');
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const from = lastArg === undefined ? -Infinity : profile.endTime - Number(lastArg) * 1e6;

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

/** A function's name with its file (shortened to the package or the repository's path) and line. */
function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url
    .replace(/^file:\/\//, '')
    .replace(/^.*node_modules\//, '')
    .replace(/^\/work\/[^/]+\//, '');
  return `${functionName || '(anonymous)'} ${where ? `${where}:${lineNumber + 1}` : ''}`.trim();
}

/** The package a function belongs to: a node_modules package, node's own code, or the repository's top folder. */
function packageOf(node: ProfileNode): string {
  const url = node.callFrame.url;
  const module = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (module) return module[1] ?? url;
  if (url.startsWith('node:')) return 'node';
  if (url === '') return node.callFrame.functionName.startsWith('(') ? node.callFrame.functionName : '(native)';
  return /^file:\/\/\/work\/[^/]+\/([^/]+\/(?:[^/]+\/)?)/.exec(url)?.[1] ?? url;
}

const IDLE = new Set(['(idle)', '(program)']);
const self = new Map<string, number>();
const inclusive = new Map<string, number>();
const packages = new Map<string, number>();
let busy = 0;
let idle = 0;
let at = profile.startTime;
profile.samples.forEach((id, index) => {
  const ms = (profile.timeDeltas[index] ?? 0) / 1000;
  at += profile.timeDeltas[index] ?? 0;
  const node = byId.get(id);
  if (!node || at < from) return;
  if (IDLE.has(node.callFrame.functionName)) {
    idle += ms;
    return;
  }
  busy += ms;
  self.set(label(node), (self.get(label(node)) ?? 0) + ms);
  packages.set(packageOf(node), (packages.get(packageOf(node)) ?? 0) + ms);
  const seen = new Set<string>();
  for (let up: number | undefined = id; up !== undefined; up = parent.get(up)) {
    const frame = byId.get(up);
    if (frame) seen.add(label(frame));
  }
  for (const name of seen) inclusive.set(name, (inclusive.get(name) ?? 0) + ms);
});

const table = (title: string, rows: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [name, ms] of [...rows].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${((ms / busy) * 100).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(7)} ms  ${name}`);
};
console.log(`${file}: ${busy.toFixed(0)} ms busy, ${idle.toFixed(0)} ms idle or in (program)`);
table('self time by package', packages);
table('self time', self);
table('inclusive time', inclusive);
