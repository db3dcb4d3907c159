// What every command is handed: the streams and facts of the process it runs
// in (tests pass their own), and the exit codes it returns. Kept apart from
// main.ts, which imports the commands, so no command imports main.ts.
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdin?: AsyncIterable<unknown>;
  cwd?: string;
  isTTY?: boolean;
  /** Today (YYYY-MM-DD); tests pin it. */
  today?: string;
  /** How the user invoked us: `rootlock`, or `kubectl rootlock` for the kubectl plugin. */
  programName?: string;
}
