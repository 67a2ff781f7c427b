import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';

/**
 * SQLite is the embedded default for one process: two hubs on one file
 * fail each other's writes under load (SQLITE_BUSY_SNAPSHOT). A hub that
 * serves a SQLite file holds `<file>.lock` with its process id; a second
 * process refuses to start while that process lives. A lock left by a
 * process that died (a kill, a crash) is taken over.
 */
export class DatabaseInUseError extends Error {
  constructor(file: string, pid: number) {
    super(
      `the SQLite file ${file} is already served by process ${pid}: SQLite serves one process; ` +
        'stop that hub, or use PostgreSQL (--db postgres://...) to run several processes',
    );
    this.name = 'DatabaseInUseError';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holderOf(lockFile: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(lockFile, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function tryCreate(lockFile: string): boolean {
  try {
    const fd = openSync(lockFile, 'wx', 0o600);
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** Takes the file for this process; throws DatabaseInUseError while another live process holds it. */
export function holdSqliteFile(file: string): { release(): void } {
  const lockFile = `${file}.lock`;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    if (tryCreate(lockFile)) return { release: () => rmSync(lockFile, { force: true }) };
    const holder = holderOf(lockFile);
    if (holder === process.pid) return { release: () => {} };
    if (holder !== undefined && isAlive(holder)) throw new DatabaseInUseError(file, holder);
    rmSync(lockFile, { force: true });
  }
  throw new Error(`could not take ${lockFile}: another process is taking it at the same moment`);
}
