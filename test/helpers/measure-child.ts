// Run as a child process: `node measure-child.js <rootlock args...>`. Runs the
// CLI with the process's own streams and, last, prints one JSON line with the
// exit code and the peak resident set size, so a test can hold memory to a bound.
import { main, processIO } from '../../src/cli/main.js';

const io = processIO(undefined);
const code = await main(process.argv.slice(2), { ...io, stdout: () => undefined });
process.stdout.write(`${JSON.stringify({ code, maxRssKiB: process.resourceUsage().maxRSS })}\n`);
