import { describe, expect, it } from 'vitest';
import { matches } from './catalog.tsx';

const kettle = { name: 'Pour-over Kettle', description: 'Gooseneck kettle for a slow, even pour.' };
const yirgacheffe = { name: 'Ethiopia Yirgacheffe', description: 'Jasmine, bergamot and lemon curd. Light roast.' };

describe('searching the catalog', () => {
  it('finds words in descriptions as well as names, in any case, every word', () => {
    expect(matches(yirgacheffe, 'jasmine')).toBe(true);
    expect(matches(kettle, 'GOOSENECK pour')).toBe(true);
    expect(matches(kettle, 'gooseneck chocolate')).toBe(false);
    expect(matches(yirgacheffe, '')).toBe(true);
  });

  it('ignores accents, so “cafe” finds “café”', () => {
    expect(matches({ name: 'Café Noir', description: '' }, 'cafe')).toBe(true);
  });
});
