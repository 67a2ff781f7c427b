import cliProgress from 'cli-progress';

/** How far long work has come: `done` of `total` steps, the current one named. */
export type Progress = (step: { done: number; total: number; name: string }) => void;

export type ProgressBar = { readonly update: Progress; readonly stop: () => void };

const silent: ProgressBar = { update: () => {}, stop: () => {} };

/**
 * A bar on standard error while it is a terminal, cleared when done; nothing
 * at all otherwise, so a pipe, a file or a log collector gets only the answer.
 */
export function terminalProgress(label: string, stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  if (!stream.isTTY) return silent;
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {value}/{total} {step}`, hideCursor: true, clearOnComplete: true, stream },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update: ({ done, total, name }) => {
      if (!started) bar.start(total, done, { step: name });
      started = true;
      bar.setTotal(total);
      bar.update(done, { step: name });
    },
    stop: () => bar.stop(),
  };
}
