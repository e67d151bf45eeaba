import { MAX_ITEM_COUNT } from '@pourover/schemas';
import { useEffect, useState } from 'preact/hooks';
import { describedBy, FieldError } from './field-error.tsx';
import { fieldSentences } from './words/error-words.ts';

/** An item's count in the order: typed, or one more or less; a count outside 1–99 is explained beside it, never sent or silently clamped. */
export function CountInput({ id, name, count, onCount }: { id: string; name: string; count: number; onCount: (count: number) => void }) {
  const [text, setText] = useState(String(count));
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setText(String(count));
    setError(null);
  }, [count]);
  const commit = (value: string) => {
    const typed = Number(value);
    if (!/^\d+$/.test(value.trim()) || typed < 1 || typed > MAX_ITEM_COUNT) return setError(fieldSentences.count);
    setError(null);
    if (typed !== count) onCount(typed);
  };
  return (
    <div class="count">
      <button type="button" aria-label={`One less ${name}`} disabled={count <= 1} onClick={() => onCount(count - 1)}>
        −
      </button>
      <input
        id={id}
        type="number"
        inputMode="numeric"
        min={1}
        max={MAX_ITEM_COUNT}
        value={text}
        aria-label={`Count of ${name}`}
        onInput={(event) => setText(event.currentTarget.value)}
        onChange={(event) => commit(event.currentTarget.value)}
        {...describedBy(`${id}-error`, error, `${id}-limits`)}
      />
      <button type="button" aria-label={`One more ${name}`} disabled={count >= MAX_ITEM_COUNT} onClick={() => onCount(count + 1)}>
        +
      </button>
      <span id={`${id}-limits`} class="hint">
        1–{MAX_ITEM_COUNT}
      </span>
      <FieldError id={`${id}-error`} error={error} />
    </div>
  );
}
