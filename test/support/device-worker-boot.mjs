// The entry of a device worker thread (see worker-device.ts). Node 20 ignores
// `--import tsx` in a worker's execArgv, so the thread loads the TypeScript
// worker through tsx's API instead; tsx compiles everything it imports.
import { tsImport } from 'tsx/esm/api';

await tsImport('./device-worker.ts', import.meta.url);
