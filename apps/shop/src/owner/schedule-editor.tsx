import { isTimeZone, type SlotScheduleRow } from '@pourover/schemas';
import { useEffect, useState } from 'preact/hooks';
import { describedBy, FieldError } from '../field-error.tsx';
import { fieldsOf, newRowFields, parseRow, weekdayNames, type RowErrors, type RowFields } from './schedule-fields.ts';
import { removeDocument, saveDocument, type OwnerSession } from './store-client.ts';
import { useStoreDocuments } from './store-documents.ts';

type RowProps = {
  session: OwnerSession;
  /** The row as the server holds it; none for the form that adds one. */
  row: SlotScheduleRow | null;
  timeZone: string;
  onSaved: (row: SlotScheduleRow) => void;
  onRemoved: (id: string) => void;
};

const labels: Record<Exclude<keyof RowFields, 'weekday'>, string> = {
  start: 'Starts at',
  durationMinutes: 'Lasts (minutes)',
  capacity: 'Places',
  closesMinutesBefore: 'Orders close (minutes before)',
};

/** One weekly row, edited and saved whole; the form with no row adds one. */
function ScheduleRow({ session, row, timeZone, onSaved, onRemoved }: RowProps) {
  const [fields, setFields] = useState<RowFields>(row ? fieldsOf(row) : newRowFields);
  const [errors, setErrors] = useState<RowErrors & { row?: string }>({});
  const [status, setStatus] = useState<string | null>(null);
  useEffect(() => {
    if (row) setFields(fieldsOf(row));
  }, [row]);
  const key = row?.id ?? 'new';
  const id = (field: string) => `schedule-${field}-${key}`;
  const submit = async (event: Event) => {
    event.preventDefault();
    setStatus(null);
    const parsed = parseRow(row?.id ?? crypto.randomUUID(), fields, timeZone);
    if (!parsed.ok) return setErrors(parsed.errors);
    const result = await saveDocument(session, 'slotSchedule', row, parsed.row);
    if (!result.ok) {
      if (result.latest) onSaved(result.latest as SlotScheduleRow);
      return setErrors({ row: result.sentence });
    }
    setErrors({});
    onSaved(parsed.row);
    if (row) return setStatus('Saved: slots not yet taken follow within a minute');
    setFields(newRowFields);
    setStatus('Added: its slots appear within a minute');
  };
  const remove = async () => {
    if (!row) return;
    const result = await removeDocument(session, 'slotSchedule', row);
    if (result.ok) return onRemoved(row.id);
    if (result.latest) onSaved(result.latest as SlotScheduleRow);
    setErrors({ row: result.sentence });
  };
  const input = (field: Exclude<keyof RowFields, 'weekday'>) => (
    <div class="field">
      <label for={id(field)}>{labels[field]}</label>
      <input
        id={id(field)}
        type={field === 'start' ? 'time' : 'text'}
        inputMode={field === 'start' ? undefined : 'numeric'}
        value={fields[field]}
        onInput={(event) => setFields({ ...fields, [field]: event.currentTarget.value })}
        {...describedBy(`${id(field)}-error`, errors[field])}
      />
      <FieldError id={`${id(field)}-error`} error={errors[field]} />
    </div>
  );
  return (
    <li class="editor-row">
      <form
        class="schedule-row"
        aria-label={row ? `${weekdayNames[row.weekday - 1] ?? ''} ${row.start}` : 'A new weekly slot'}
        onSubmit={(event) => void submit(event)}
      >
        <div class="field">
          <label for={id('weekday')}>Every</label>
          <select
            id={id('weekday')}
            value={fields.weekday}
            onChange={(event) => setFields({ ...fields, weekday: event.currentTarget.value })}
          >
            {weekdayNames.map((name, index) => (
              <option key={name} value={String(index + 1)}>
                {name}
              </option>
            ))}
          </select>
        </div>
        {input('start')}
        {input('durationMinutes')}
        {input('capacity')}
        {input('closesMinutesBefore')}
        <div class="actions">
          <button type="submit" class={row ? undefined : 'primary'}>
            {row ? 'Save' : 'Add to the schedule'}
          </button>
          {row ? (
            <button type="button" onClick={() => void remove()}>
              Remove
            </button>
          ) : null}
        </div>
        {errors.row || errors.timeZone ? (
          <p class="error" role="alert">
            {errors.row ?? errors.timeZone}
          </p>
        ) : null}
        {status ? (
          <p class="saved" role="status">
            {status}
          </p>
        ) : null}
      </form>
    </li>
  );
}

const byWeekAndTime = (a: SlotScheduleRow, b: SlotScheduleRow) => a.weekday - b.weekday || a.start.localeCompare(b.start);

/**
 * The store's weekly delivery schedule: its time zone, and a row for each
 * slot that recurs every week. The processor generates the coming weeks'
 * slots from it; slots already taken keep their places whatever changes.
 */
export function ScheduleEditor({ session }: { session: OwnerSession }) {
  const { rows, error, replace, add, remove } = useStoreDocuments<SlotScheduleRow>(session.client, 'slotSchedule', byWeekAndTime);
  const zone = rows?.[0]?.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const [typedZone, setTypedZone] = useState<string | null>(null);
  const [zoneStatus, setZoneStatus] = useState<{ error?: string; saved?: string }>({});
  const changeZone = async (next: string) => {
    if (next === zone) return;
    if (!isTimeZone(next)) return setZoneStatus({ error: 'Choose a time zone from the list, like America/Los_Angeles.' });
    setZoneStatus({});
    // One zone for the store: every row carries it, so each is saved with the new one.
    for (const row of rows ?? []) {
      const result = await saveDocument(session, 'slotSchedule', row, { ...row, timeZone: next });
      if (!result.ok) return setZoneStatus({ error: result.sentence });
      replace({ ...row, timeZone: next });
    }
    setTypedZone(null);
    setZoneStatus({ saved: `Slots now follow ${next} time` });
  };
  return (
    <section aria-labelledby="schedule-heading">
      <h2 id="schedule-heading">Weekly schedule</h2>
      <p class="hint">Delivery slots for the next two weeks are made from these rows; one-off slots can still be edited below.</p>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      <div class="field">
        <label for="schedule-zone">The store’s time zone</label>
        <input
          id="schedule-zone"
          list="schedule-zones"
          value={typedZone ?? zone}
          onInput={(event) => setTypedZone(event.currentTarget.value)}
          onChange={(event) => void changeZone(event.currentTarget.value.trim())}
          {...describedBy('schedule-zone-error', zoneStatus.error)}
        />
        <datalist id="schedule-zones">
          {Intl.supportedValuesOf('timeZone').map((name) => (
            <option key={name} value={name} />
          ))}
        </datalist>
        <FieldError id="schedule-zone-error" error={zoneStatus.error} />
        {zoneStatus.saved ? (
          <p class="saved" role="status">
            {zoneStatus.saved}
          </p>
        ) : null}
      </div>
      {rows === null && !error ? <p role="status">Loading the schedule…</p> : null}
      <ul class="editor-rows">
        {rows?.map((row) => (
          <ScheduleRow key={row.id} session={session} row={row} timeZone={zone} onSaved={replace} onRemoved={remove} />
        ))}
        {rows ? <ScheduleRow session={session} row={null} timeZone={zone} onSaved={add} onRemoved={remove} /> : null}
      </ul>
    </section>
  );
}
