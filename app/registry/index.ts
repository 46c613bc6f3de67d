import { campaigns } from './tables/campaigns';
import { characters } from './tables/characters';
import { items } from './tables/items';
import { locations } from './tables/locations';

/*
 * The one list of audited tables. Each is declared once, in tables/; the
 * audit, the history capture, the models, the tools, the help texts and the
 * docs' lists are read from here. To add one, see docs/audit.md ("Auditing
 * another table").
 */

/** Every audited (and captured) table, in the order their audit migrations were added. */
export const TABLES = [characters, items, locations, campaigns] as const;

/** The API's name for a row's kind, one per declared table. */
export type RowKind = (typeof TABLES)[number]['kind'];

/** The kinds, in declaration order. */
export const ROW_KINDS: readonly RowKind[] = TABLES.map((t) => t.kind);

/** Table names, in declaration order. */
export const TABLE_NAMES: readonly string[] = TABLES.map((t) => t.table);

/** "characters, items, locations and campaigns": for help texts and messages. */
export function tableList(names: readonly string[] = TABLE_NAMES): string {
  return names.length < 2
    ? names.join('')
    : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

export { campaigns, characters, items, locations };
export * from './table-declaration';
