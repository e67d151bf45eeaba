import type { Shop } from '@pourover/orders';
import type { UserProfile } from '@pourover/schemas';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { initialStatus } from './site-header.tsx';
import { tabStatus$ } from './tab-status.ts';
import { useObservable } from './use-observable.ts';
import { SignOut } from './sign-out.tsx';
import { explain } from './words/error-words.ts';

/**
 * Payment methods of the demo's simulated gateway. A real deployment puts its
 * payment provider's card form here; the app only ever holds the token.
 */
const demoCards = [
  { token: 'tok_demo_visa', label: 'Demo Visa ending 4242' },
  { token: 'tok_decline_demo', label: 'Demo card that is always declined' },
];

/** The shopper's profile, edited on any device; fields changed on two devices both survive. */
export function Profile({ shop, onSignedOut }: { shop: Shop; onSignedOut: () => void }) {
  const { unsent } = useObservable(
    useMemo(() => tabStatus$(shop), [shop]),
    initialStatus,
  );
  const [profile, setProfile] = useState<UserProfile | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  useEffect(() => {
    const subscription = shop.replica.collections.user
      .findOne()
      .$.subscribe((doc) => setProfile((doc?.toJSON() as unknown as UserProfile) ?? null));
    return () => subscription.unsubscribe();
  }, [shop]);
  if (!profile)
    return (
      <section>
        <p>Loading your profile…</p>
      </section>
    );
  const save = (field: keyof UserProfile, value: string) => {
    setSaved(null);
    shop.replica.collections.user
      .findOne(profile.id)
      .exec()
      .then((doc) => doc?.incrementalPatch({ [field]: value }))
      .then(
        () => setSaved('Saved on this device; it syncs when online.'),
        (error: unknown) => setSaved(explain(error).sentence),
      );
  };
  return (
    <section class="profile" aria-labelledby="profile-heading">
      <h1 id="profile-heading">Your profile</h1>
      <label>
        Name <input value={profile.name} maxLength={120} onChange={(e) => save('name', e.currentTarget.value)} />
      </label>
      <label>
        Delivery address <textarea value={profile.address} maxLength={500} onChange={(e) => save('address', e.currentTarget.value)} />
      </label>
      <label>
        Payment method
        <select value={profile.paymentToken} onChange={(e) => save('paymentToken', e.currentTarget.value)}>
          <option value="">None yet</option>
          {demoCards.map((card) => (
            <option value={card.token} key={card.token}>
              {card.label}
            </option>
          ))}
        </select>
      </label>
      {saved ? <p role="status">{saved}</p> : null}
      <SignOut shop={shop} unsent={unsent} onSignedOut={onSignedOut} />
    </section>
  );
}
