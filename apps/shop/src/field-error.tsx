/** A field's error, beside it: the field names it with `aria-describedby` and is marked `aria-invalid`. */
export function FieldError({ id, error }: { id: string; error: string | null | undefined }) {
  return error ? (
    <p id={id} class="field-error">
      {error}
    </p>
  ) : null;
}

/** The attributes that tie a field to its error, when it has one. */
export const describedBy = (id: string, error: string | null | undefined, hint?: string) => ({
  'aria-invalid': error ? ('true' as const) : undefined,
  'aria-describedby': [hint, error ? id : undefined].filter(Boolean).join(' ') || undefined,
});
