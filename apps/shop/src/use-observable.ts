import { useEffect, useState } from 'preact/hooks';
import type { Observable } from 'rxjs';

/** The latest value of an observable, re-rendering on each; `initial` until the first. */
export function useObservable<T>(source: Observable<T> | undefined, initial: T): T {
  const [value, setValue] = useState<T>(initial);
  useEffect(() => {
    if (!source) return undefined;
    const subscription = source.subscribe(setValue);
    return () => subscription.unsubscribe();
  }, [source]);
  return value;
}
