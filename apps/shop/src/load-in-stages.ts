/**
 * Imports `stages` one after another, with a turn of the event loop between
 * each, then `last`, and gives its module. A browser evaluates a dynamic
 * import's whole module graph in one task; the signed-in shop's graph (zod
 * schemas, the protocol, RxDB) took one task of 0.35 s under Lighthouse's
 * fourfold slowdown, blocking every tap meanwhile. Each stage evaluates only
 * what the ones before it did not, so the tasks are smaller and the browser
 * may paint and answer input between them.
 */
export async function loadInStages<T>(stages: readonly (() => Promise<unknown>)[], last: () => Promise<T>): Promise<T> {
  for (const stage of stages) {
    await stage();
    await nextTask();
  }
  return last();
}

/** Resolves in a task of its own, after what the browser has waiting (input, rendering). */
function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
