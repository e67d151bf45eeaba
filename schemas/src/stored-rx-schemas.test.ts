import { describe, expect, it } from 'vitest';
import { collectionNames, rxSchemaOf, storedRxSchemas } from './index.ts';

describe('the RxDB schemas devices open their database with', () => {
  it.each(collectionNames)('%s is the one its zod schema derives (else run `npm run generate:rx-schemas`)', (name) => {
    expect(storedRxSchemas[name]).toEqual(rxSchemaOf(name));
  });
});
