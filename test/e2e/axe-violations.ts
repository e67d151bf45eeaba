import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const axeSource = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const REPORTED = new Set(['moderate', 'serious', 'critical']);

type Violation = { id: string; impact: string | null; help: string; nodes: { target: string[] }[] };

/** Runs axe-core in the page and returns its moderate, serious and critical violations, in words. */
export async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated through the debugging protocol: a script tag would be refused by the page's content security policy.
  await page.evaluate(readFileSync(axeSource, 'utf8'));
  const found = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: Violation[] }> } }).axe;
    return (await axe.run()).violations;
  });
  return found
    .filter((v) => REPORTED.has(v.impact ?? ''))
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}
