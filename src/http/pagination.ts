import { pageItemsDefault } from './schemas.ts';

export type Page = { limit: number; after: string | undefined };

export function pageOf(query: { limit?: number | undefined; after?: string | undefined }): Page {
  return { limit: query.limit ?? pageItemsDefault, after: query.after };
}

/**
 * Stores fetch `limit + 1` rows ordered by id; the extra row only tells
 * whether another page exists. The cursor is the last id returned.
 */
export function toPage<T>(rows: T[], page: Page, idOf: (row: T) => string): { data: T[]; nextCursor: string | null } {
  const data = rows.slice(0, page.limit);
  const last = data[data.length - 1];
  return { data, nextCursor: rows.length > page.limit && last ? idOf(last) : null };
}
