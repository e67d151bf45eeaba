import { defaultStoreSettings, type StoreSettings } from '@pourover/schemas';
import { useEffect, useState } from 'preact/hooks';
import { describedBy, FieldError } from '../field-error.tsx';
import { formatCents } from '../format.ts';
import { settingsOf, type ApprovalErrors, type ApprovalFields } from './approval-fields.ts';
import { dollarsOf } from './money.ts';
import { saveDocument, type OwnerSession } from './store-client.ts';
import { useStoreDocuments } from './store-documents.ts';

const byId = (a: StoreSettings, b: StoreSettings) => a.id.localeCompare(b.id);

const fieldsOf = (settings: StoreSettings): ApprovalFields => ({
  on: settings.approvalAboveCents !== null,
  above: settings.approvalAboveCents === null ? '' : dollarsOf(settings.approvalAboveCents),
  minutes: String(settings.approvalMinutes),
});

/** What the setting does, in a sentence. */
const sentenceOf = (settings: StoreSettings) =>
  settings.approvalAboveCents === null
    ? 'No order waits for your approval.'
    : `Orders above ${formatCents(settings.approvalAboveCents)} wait for your approval under Orders, for at most ${settings.approvalMinutes} minutes; then they are rejected and refunded.`;

/**
 * The store's approval setting: orders above an amount wait for the owner's
 * approval, for at most some minutes. The server checks it again and takes
 * it into account as the processor takes each order in.
 */
export function ApprovalSettings({ session }: { session: OwnerSession }) {
  const { rows, error, replace, add } = useStoreDocuments<StoreSettings>(session.client, 'storeSettings', byId);
  const stored = rows?.[0] ?? null;
  const current = stored ?? defaultStoreSettings;
  const [fields, setFields] = useState<ApprovalFields>(fieldsOf(current));
  const [errors, setErrors] = useState<ApprovalErrors & { form?: string }>({});
  const [saved, setSaved] = useState<string | null>(null);
  useEffect(() => setFields(fieldsOf(current)), [stored]);
  const save = async () => {
    setSaved(null);
    const parsed = settingsOf(fields);
    if (!parsed.ok) return setErrors(parsed.errors);
    const result = await saveDocument(session, 'storeSettings', stored, parsed.settings);
    if (!result.ok) {
      if (result.latest) replace(result.latest as StoreSettings);
      return setErrors({ form: result.sentence });
    }
    if (stored) replace(parsed.settings);
    else add(parsed.settings);
    setErrors({});
    setSaved(`Saved. ${sentenceOf(parsed.settings)}`);
  };
  return (
    <section aria-labelledby="approval-heading">
      <h2 id="approval-heading">Approval of large orders</h2>
      <p class="hint">{rows ? sentenceOf(current) : 'Loading the setting…'}</p>
      {error || errors.form ? (
        <p class="error" role="alert">
          {error ?? errors.form}
        </p>
      ) : null}
      <form
        class="approval-form"
        onSubmit={(event) => {
          event.preventDefault();
          void save();
        }}
      >
        <div class="field">
          <label>
            <input type="checkbox" checked={fields.on} onChange={(event) => setFields({ ...fields, on: event.currentTarget.checked })} />{' '}
            Hold large orders for my approval
          </label>
        </div>
        <div class="field">
          <label for="approval-above">Orders above (dollars)</label>
          <input
            id="approval-above"
            inputMode="decimal"
            disabled={!fields.on}
            value={fields.above}
            onInput={(event) => setFields({ ...fields, above: event.currentTarget.value })}
            {...describedBy('approval-above-error', errors.above)}
          />
          <FieldError id="approval-above-error" error={errors.above} />
        </div>
        <div class="field">
          <label for="approval-minutes">Wait at most (minutes)</label>
          <input
            id="approval-minutes"
            inputMode="numeric"
            value={fields.minutes}
            onInput={(event) => setFields({ ...fields, minutes: event.currentTarget.value })}
            {...describedBy('approval-minutes-error', errors.minutes)}
          />
          <FieldError id="approval-minutes-error" error={errors.minutes} />
        </div>
        <button type="submit" class="primary" disabled={rows === null}>
          Save approval setting
        </button>
        {saved ? (
          <p class="saved" role="status">
            {saved}
          </p>
        ) : null}
      </form>
    </section>
  );
}
