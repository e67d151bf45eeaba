import type { DemoParts, Write } from '@pourover/sync-server/app';
import { DEMO_SHOPPER_ID } from './demo-shopper.ts';
import { seedDemo, seedDemoAccount } from './seed.ts';

/** The shop's demo, for a server started with `--seed`: the catalog with its pictures, a week of slots, the demo shopper. */
export const shopDemo = {
  user: DEMO_SHOPPER_ID,
  async seed({ store, identity, images, now }: DemoParts): Promise<void> {
    await seedDemo(store, now, images);
    await seedDemoAccount(identity, now);
  },
};

/** A new shopper's profile, empty but for their name and email, written when they sign up. */
export function profileOnSignUp(user: { id: string; name: string; email: string }): Write[] {
  const profile = { id: user.id, name: user.name, email: user.email, address: '', paymentToken: '', _deleted: false };
  return [{ collection: 'user', document: profile, expect: { kind: 'absent' } }];
}
