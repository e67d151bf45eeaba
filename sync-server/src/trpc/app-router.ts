import { authRouter } from '../auth/auth-router.ts';
import { driversRouter } from '../auth/drivers-router.ts';
import { ownerRouter } from '../auth/owner-router.ts';
import { progressRouter } from '../sync/sync-progress.ts';
import { syncRouter } from '../sync/sync-router.ts';
import { router } from './trpc.ts';

export const appRouter = router({
  auth: authRouter,
  owner: ownerRouter,
  drivers: driversRouter,
  sync: syncRouter,
  progress: progressRouter,
});

/** The router's type: all a client imports from the server. */
export type AppRouter = typeof appRouter;
