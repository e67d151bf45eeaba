import { afterAll, beforeAll, it } from 'vitest';
import { postgresMissing, startTestPostgres, type TestPostgres } from './test-postgres.ts';

/**
 * Defines a file's PostgreSQL tests: one PostgreSQL for the file, started
 * before them and stopped after. Where PostgreSQL is missing they fail
 * loudly, never skip: a run without it must not look like one that passed.
 */
export function onPostgres(define: (postgres: Pick<TestPostgres, 'createDatabase'>) => void): void {
  const missing = postgresMissing();
  if (missing) {
    it('runs against PostgreSQL', () => {
      throw new Error(missing);
    });
    return;
  }
  let postgres: TestPostgres | undefined;
  beforeAll(async () => {
    postgres = await startTestPostgres();
  }, 60_000);
  afterAll(() => postgres?.stop());
  define({
    createDatabase: () => {
      if (!postgres) throw new Error('PostgreSQL did not start');
      return postgres.createDatabase();
    },
  });
}
