import { useEffect } from 'preact/hooks';

/** Calls `tick` every two seconds while `active`, and stops as soon as it is not (a result, or unmounted). */
export function usePoll(active: boolean, tick: () => Promise<void>): void {
  useEffect(() => {
    if (!active) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      await tick();
      if (!stopped) timer = setTimeout(run, 2_000);
    };
    timer = setTimeout(run, 2_000);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [active]);
}
