import { useEffect, useState } from 'preact/hooks';
import { describedBy, FieldError } from './field-error.tsx';
import { formatCount } from './format.ts';

/** The most characters a note may have (the order's schema). */
const MAX_NOTE = 1_000;

/** The note for the courier, with its length counted as it is typed; a note too long is said so and kept unsaved, never cut. */
export function NoteField({ note, onSave }: { note: string; onSave: (note: string) => void }) {
  const [text, setText] = useState(note);
  useEffect(() => setText(note), [note]);
  const over = text.length > MAX_NOTE;
  const error = over
    ? `A note has at most ${formatCount(MAX_NOTE)} characters: shorten it by ${formatCount(text.length - MAX_NOTE)} to save it.`
    : null;
  return (
    <div class="note">
      <label for="note">Note for the courier</label>
      <textarea
        id="note"
        value={text}
        rows={3}
        onInput={(event) => setText(event.currentTarget.value)}
        onChange={(event) => {
          if (event.currentTarget.value.length <= MAX_NOTE && event.currentTarget.value !== note) onSave(event.currentTarget.value);
        }}
        {...describedBy('note-error', error, 'note-count')}
      />
      <p id="note-count" class={`hint${over ? ' over' : ''}`} aria-live="polite">
        {formatCount(text.length)} / {formatCount(MAX_NOTE)} characters
      </p>
      <FieldError id="note-error" error={error} />
    </div>
  );
}
