// Polls files for changed contents. Kubernetes updates mounted Secrets and
// ConfigMaps by swapping a `..data` symlink, which inotify-style watches on
// the file itself miss; comparing contents on a timer sees every update,
// including cert-manager writing a certificate and its key a moment apart.
import { readFile } from 'node:fs/promises';

export interface FileWatch {
  stop(): void;
  /** Checks now (tests call it instead of waiting for the timer). */
  check(): Promise<void>;
}

export function watchFiles(paths: readonly string[], intervalMs: number, onChange: (contents: Buffer[]) => void | Promise<void>, initial?: readonly Buffer[]): FileWatch {
  let last: string | undefined = initial ? initial.map((b) => b.toString('base64')).join('|') : undefined;
  let running: Promise<void> | undefined;
  const check = async (): Promise<void> => {
    if (running) return running;
    running = (async () => {
      let contents: Buffer[];
      try {
        contents = await Promise.all(paths.map((p) => readFile(p)));
      } catch {
        return; // a file in the middle of being replaced: look again next time
      }
      const key = contents.map((b) => b.toString('base64')).join('|');
      if (key === last) return;
      last = key;
      await onChange(contents);
    })().finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer = setInterval(() => void check(), intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer), check };
}
