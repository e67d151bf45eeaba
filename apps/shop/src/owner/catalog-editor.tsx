import type { CatalogItem } from '@pourover/schemas';
import { useEffect, useState } from 'preact/hooks';
import { describedBy, FieldError } from '../field-error.tsx';
import { explain, fieldSentences } from '../words/error-words.ts';
import { dollarsOf, parseDollars } from './money.ts';
import { saveDocument, uploadPhoto, type OwnerSession } from './store-client.ts';
import { useStoreDocuments } from './store-documents.ts';

/** The largest photo the server takes, checked here first so the owner hears at once. */
const MAX_PHOTO_BYTES = 8 * 1024 * 1024;
const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'];

type Errors = { name?: string; price?: string; photo?: string; row?: string };

function ItemRow({ session, item, onSaved }: { session: OwnerSession; item: CatalogItem; onSaved: (item: CatalogItem) => void }) {
  const [errors, setErrors] = useState<Errors>({});
  const [status, setStatus] = useState<string | null>(null);
  const [name, setName] = useState(item.name);
  const [price, setPrice] = useState(dollarsOf(item.priceCents));
  useEffect(() => setName(item.name), [item.name]);
  useEffect(() => setPrice(dollarsOf(item.priceCents)), [item.priceCents]);
  const save = async (change: Partial<CatalogItem>) => {
    setStatus(null);
    const result = await saveDocument(session, 'catalog', item, { ...item, ...change });
    if (result.ok) {
      onSaved(result.document as CatalogItem);
      setErrors({});
      return setStatus('Saved');
    }
    if (result.latest) onSaved(result.latest as CatalogItem);
    setErrors({ row: result.sentence });
  };
  const upload = async (file: File | undefined) => {
    if (!file) return;
    if (!PHOTO_TYPES.includes(file.type) || file.size > MAX_PHOTO_BYTES) return setErrors({ photo: fieldSentences.photo });
    setErrors({});
    setStatus('Uploading the photo…');
    try {
      await save({ image: await uploadPhoto(session, file) });
    } catch (failure) {
      setStatus(null);
      setErrors({ photo: explain(failure).sentence });
    }
  };
  const id = (field: string) => `${field}-${item.id}`;
  return (
    <li class="editor-row catalog-row">
      <img src={`/images/${item.image}`} alt={`Photo of ${item.name}`} width={96} height={96} />
      <div class="field">
        <label for={id('name')}>Name</label>
        <input
          id={id('name')}
          value={name}
          maxLength={80}
          onInput={(event) => setName(event.currentTarget.value)}
          onChange={(event) => {
            const typed = event.currentTarget.value.trim();
            if (!typed) return setErrors({ name: 'Give the item a name.' });
            void save({ name: typed });
          }}
          {...describedBy(`${id('name')}-error`, errors.name)}
        />
        <FieldError id={`${id('name')}-error`} error={errors.name} />
      </div>
      <div class="field">
        <label for={id('price')}>Price in dollars</label>
        <input
          id={id('price')}
          inputMode="decimal"
          value={price}
          onInput={(event) => setPrice(event.currentTarget.value)}
          onChange={(event) => {
            const parsed = parseDollars(event.currentTarget.value);
            if (!parsed.ok) return setErrors({ price: parsed.error });
            void save({ priceCents: parsed.value });
          }}
          {...describedBy(`${id('price')}-error`, errors.price)}
        />
        <FieldError id={`${id('price')}-error`} error={errors.price} />
      </div>
      <label class="choice">
        <input type="checkbox" checked={item.available} onChange={(event) => void save({ available: event.currentTarget.checked })} />{' '}
        Available
      </label>
      <div class="field">
        <label for={id('photo')}>New photo of {item.name}</label>
        <input
          id={id('photo')}
          type="file"
          accept={PHOTO_TYPES.join(',')}
          onChange={(event) => void upload(event.currentTarget.files?.[0])}
          {...describedBy(`${id('photo')}-error`, errors.photo, `${id('photo')}-hint`)}
        />
        <p id={`${id('photo')}-hint`} class="hint">
          JPEG, PNG or WebP, up to 8 MB.
        </p>
        <FieldError id={`${id('photo')}-error`} error={errors.photo} />
      </div>
      {errors.row ? (
        <p class="error" role="alert">
          {errors.row}
        </p>
      ) : null}
      {status ? (
        <p class="saved" role="status">
          {status}
        </p>
      ) : null}
    </li>
  );
}

/** The catalog, coffee first then gear, each by name; a row stays where it is while it is edited. */
export function CatalogEditor({ session }: { session: OwnerSession }) {
  const { rows, error, replace } = useStoreDocuments<CatalogItem>(
    session.client,
    'catalog',
    (a, b) => Number(a.kind !== 'coffee') - Number(b.kind !== 'coffee') || a.name.localeCompare(b.name),
  );
  return (
    <section aria-labelledby="catalog-editor-heading">
      <h2 id="catalog-editor-heading">Catalog</h2>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      {rows === null && !error ? <p role="status">Loading the catalog…</p> : null}
      <ul class="editor-rows">
        {rows?.map((item) => (
          <ItemRow key={item.id} session={session} item={item} onSaved={replace} />
        ))}
      </ul>
    </section>
  );
}
