import { createSyncClient } from '@pourover/sync-client';
import { useEffect, useState } from 'preact/hooks';
import { useRoute } from '../router.ts';
import { explain } from '../words/error-words.ts';
import { CatalogEditor } from './catalog-editor.tsx';
import { Dashboards } from './dashboards.tsx';
import { ScheduleEditor } from './schedule-editor.tsx';
import { SlotEditor } from './slot-editor.tsx';
import type { OwnerSession } from './store-client.ts';

const tabTitles = { board: 'Orders', deliveries: 'Deliveries', editor: 'Slots and catalog' } as const;

/** The store owner's view: live Orders (/owner) and Deliveries (/owner/deliveries) dashboards, and the weekly schedule, slot and catalog editors (/owner/editor). */
export default function OwnerView() {
  const route = useRoute();
  const [session, setSession] = useState<OwnerSession | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const tab = route.screen === 'owner' ? route.tab : 'board';
  const title = tabTitles[tab];
  useEffect(() => {
    document.title = `${title} · Pourover owner`;
  }, [title]);
  const signIn = async (event: Event) => {
    event.preventDefault();
    setError(null);
    try {
      const { token } = await createSyncClient({ url: location.origin, token: () => '' }).auth.storeSignIn.mutate({ code: code.trim() });
      setSession({ client: createSyncClient({ url: location.origin, token: () => token }), token });
    } catch (failure) {
      setError(explain(failure).sentence);
    }
  };
  if (!session) {
    return (
      <main class="sign-in">
        <h1>Bluebottle — store owner</h1>
        <form onSubmit={(event) => void signIn(event)}>
          <label for="owner-code">Sign-in code from the server’s console</label>
          <input
            id="owner-code"
            name="code"
            autoComplete="one-time-code"
            required
            value={code}
            onInput={(e) => setCode(e.currentTarget.value)}
            aria-describedby={error ? 'owner-code-error' : undefined}
            aria-invalid={error ? 'true' : undefined}
          />
          {error ? (
            <p id="owner-code-error" class="error" role="alert">
              {error}
            </p>
          ) : null}
          <button type="submit" class="primary">
            Sign in as the store
          </button>
        </form>
      </main>
    );
  }
  return (
    <>
      <header class="site-header">
        <div class="bar">
          <span class="brand">Bluebottle — owner</span>
          <nav aria-label="Owner">
            <a href="/owner" aria-current={tab === 'board' ? 'page' : undefined}>
              Orders
            </a>
            <a href="/owner/deliveries" aria-current={tab === 'deliveries' ? 'page' : undefined}>
              Deliveries
            </a>
            <a href="/owner/editor" aria-current={tab === 'editor' ? 'page' : undefined}>
              Slots and catalog
            </a>
          </nav>
        </div>
      </header>
      <main id="main">
        <h1 class="visually-hidden">{title}</h1>
        {tab !== 'editor' ? (
          <Dashboards session={session} tab={tab} />
        ) : (
          <div class="editors">
            <div>
              <ScheduleEditor session={session} />
              <SlotEditor session={session} />
            </div>
            <CatalogEditor session={session} />
          </div>
        )}
      </main>
    </>
  );
}
