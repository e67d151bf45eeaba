import { useEffect, useState } from 'preact/hooks';
import { forgetKeyedDevice, hasKeyedDevice, keepFresh, openKeyedDevice, type KeyedDevice } from '../keyed-device.ts';
import { useRoute } from '../router.ts';
import { explain } from '../words/error-words.ts';
import { ApprovalSettings } from './approval-settings.tsx';
import { CatalogEditor } from './catalog-editor.tsx';
import { DriversSection } from './drivers-section.tsx';
import { Dashboards } from './dashboards.tsx';
import { forgetOwnerDeviceName, OWNER_DATABASE } from './owner-device.ts';
import { OwnerDevices } from './owner-devices.tsx';
import { OwnerSignIn } from './owner-sign-in.tsx';
import { ScheduleEditor } from './schedule-editor.tsx';
import { SlotEditor } from './slot-editor.tsx';

type Tab = 'board' | 'deliveries' | 'editor' | 'drivers';
const titles: Record<Tab, string> = {
  board: 'Orders',
  deliveries: 'Deliveries',
  editor: 'Slots and catalog',
  drivers: 'Drivers and devices',
};

type State =
  | { kind: 'checking' }
  | { kind: 'signed-out'; notice?: string | undefined }
  | { kind: 'signed-in'; device: KeyedDevice }
  | { kind: 'failed'; sentence: string };

/**
 * The store owner's view: live Orders (/owner) and Deliveries (/owner/deliveries) dashboards, the weekly
 * schedule, slot and catalog editors (/owner/editor), the drivers and the owner's signed-in devices (/owner/drivers). The browser signs in once
 * with a console code and stays signed in, refreshing its token with its own key, until it is signed out.
 */
export default function OwnerView() {
  const route = useRoute();
  const [state, setState] = useState<State>({ kind: 'checking' });
  const tab: Tab = route.screen === 'owner' ? route.tab : 'board';
  useEffect(() => {
    document.title = `${titles[tab]} · Pourover owner`;
  }, [tab]);
  useEffect(() => {
    hasKeyedDevice(OWNER_DATABASE)
      .then(async (signedIn) =>
        signedIn ? setState({ kind: 'signed-in', device: await openKeyedDevice(OWNER_DATABASE) }) : setState({ kind: 'signed-out' }),
      )
      .catch((failure: unknown) => setState({ kind: 'failed', sentence: explain(failure).sentence }));
  }, []);
  const signedOut = (notice?: string) => {
    forgetOwnerDeviceName();
    void forgetKeyedDevice(OWNER_DATABASE).then(() => setState({ kind: 'signed-out', notice }));
  };
  useEffect(() => (state.kind === 'signed-in' ? keepFresh(state.device, signedOut) : undefined), [state]);

  if (state.kind === 'checking') return null;
  if (state.kind === 'failed')
    return (
      <main>
        <p class="error" role="alert">
          {state.sentence}
        </p>
      </main>
    );
  if (state.kind === 'signed-out')
    return <OwnerSignIn notice={state.notice} onSignedIn={(device) => setState({ kind: 'signed-in', device })} />;
  const { device } = state;
  // Signing out revokes this browser on the server too, so its key is worth nothing after.
  const signOut = () => void device.client.owner.revokeDevice.mutate({ device: device.blessing }).finally(() => signedOut());
  return (
    <>
      <header class="site-header">
        <div class="bar">
          <span class="brand">Bluebottle — owner</span>
          <nav aria-label="Owner">
            {(['board', 'deliveries', 'editor', 'drivers'] as const).map((each) => (
              <a key={each} href={each === 'board' ? '/owner' : `/owner/${each}`} aria-current={tab === each ? 'page' : undefined}>
                {titles[each]}
              </a>
            ))}
          </nav>
        </div>
      </header>
      <main id="main">
        <h1 class="visually-hidden">{titles[tab]}</h1>
        {tab === 'board' || tab === 'deliveries' ? <Dashboards session={device} tab={tab} /> : null}
        {tab === 'editor' ? (
          <div class="editors">
            <div>
              <ApprovalSettings session={device} />
              <ScheduleEditor session={device} />
              <SlotEditor session={device} />
            </div>
            <CatalogEditor session={device} />
          </div>
        ) : null}
        {tab === 'drivers' ? (
          <div class="editors">
            <DriversSection client={device.client} />
            <OwnerDevices client={device.client} onSignOut={signOut} />
          </div>
        ) : null}
      </main>
    </>
  );
}
