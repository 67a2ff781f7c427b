import BetterSqlite3 from 'better-sqlite3';

/**
 * Whether a SQLite file already holds secrets sealed under a master key: the hub's signing key is the first
 * one a hub seals, at its first start. Read only, so a hub serving the file meanwhile is not disturbed.
 */
export function sqliteHoldsSealedSecrets(file: string): boolean {
  const sqlite = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    const table = sqlite.prepare("select 1 from sqlite_master where type = 'table' and name = 'hub_keys'").get();
    return table !== undefined && sqlite.prepare('select 1 from hub_keys limit 1').get() !== undefined;
  } finally {
    sqlite.close();
  }
}
