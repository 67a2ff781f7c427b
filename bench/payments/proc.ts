/**
 * What a process used, from Linux's /proc: CPU time (user + system, in clock ticks of 10 ms) and its peak
 * resident memory. CPU time per operation stays comparable when other work shares the machine, where
 * throughput does not.
 */
import { readFileSync, readdirSync } from 'node:fs';

const clockTicksPerSecond = 100;

/** User + system CPU milliseconds the process has used so far. */
export function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: fields are counted after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const userTicks = Number(fields[11]);
  const systemTicks = Number(fields[12]);
  return ((userTicks + systemTicks) * 1000) / clockTicksPerSecond;
}

/** The process and its children (a hub's cluster workers): their ids, the process first. */
export function processTreeOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) children.push(Number(entry));
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return [pid, ...children];
}

/** CPU milliseconds of a process and its children, as one hub however many processes serve it. */
export function treeCpuMsOf(pid: number): number {
  return processTreeOf(pid).reduce((total, member) => total + cpuMsOf(member), 0);
}

/** The process's peak resident set (VmHWM) in MiB. */
export function peakRssMibOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmHWM:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

/** CPU milliseconds used so far by every PostgreSQL server process on the machine, live or not counted. */
export function postgresCpuMs(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const command = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      if (command === 'postgres' || command.startsWith('postgres:')) total += cpuMsOf(Number(entry));
    } catch {
      // The process ended between the listing and the read: its time is lost to both readings alike.
    }
  }
  return total;
}
