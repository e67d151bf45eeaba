import type { NoticeMemory } from '@pourover/orders';
import { z } from 'zod';

const DISMISSED = 'pourover-dismissed-notices';
const keys = z.array(z.string().max(200)).max(1_000).catch([]);

/** The notices the shopper dismissed, kept in this browser so a reload does not show them again. */
export const dismissedNotices: NoticeMemory = {
  load() {
    try {
      return keys.parse(JSON.parse(localStorage.getItem(DISMISSED) ?? '[]'));
    } catch {
      return [];
    }
  },
  save(dismissed) {
    try {
      localStorage.setItem(DISMISSED, JSON.stringify(dismissed));
    } catch {
      // A full or blocked storage only means the notice shows again after a reload.
    }
  },
};
