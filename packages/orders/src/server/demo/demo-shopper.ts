import type { UserProfile } from '@pourover/schemas';

/** The demo shopper's id; their replica is `bluebottle:users:<id>`. */
export const DEMO_SHOPPER_ID = 'c0ffee00-0000-4000-8000-000000000001';

export const demoShopper: UserProfile = {
  id: DEMO_SHOPPER_ID,
  name: 'Demo Shopper',
  email: 'demo@example.com',
  address: '300 Webster St, Oakland, CA',
  paymentToken: 'tok_demo_visa',
};
