import { render } from 'preact';
import { lazy, Suspense } from 'preact/compat';
import { registerSW } from 'virtual:pwa-register';
import { App } from './app.tsx';
import './styles.css';

/** The store owner's view loads only for the owner, so shoppers never download it. */
const OwnerView = lazy(() => import('./owner-board.tsx'));

registerSW({ immediate: true });
const root = document.getElementById('app');
const owner = location.pathname.startsWith('/owner');
if (root) {
  render(
    owner ? (
      <Suspense fallback={<p>Loading…</p>}>
        <OwnerView />
      </Suspense>
    ) : (
      <App />
    ),
    root,
  );
}
