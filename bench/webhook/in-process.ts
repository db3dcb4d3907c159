// The webhook's request path without HTTP: for each benchmark body, the time
// per review of each step (JSON parse and checks, rule engine, response
// build, response serialisation), measured in-process so that a profile
// (`node --cpu-prof` or `--heap-prof`) shows only rootlock's own work. Times
// are CPU time per review.
//
//   node dist/bench/webhook/in-process.js [--iterations 3000] [--endpoint validate|mutate]
import { decodeReview } from '../../src/webhook/review.js';
import { evaluate } from '../../src/webhook/evaluate.js';
import { review, validateResponse } from '../../src/webhook/response.js';
import { handleAdmission } from '../../src/webhook/handler.js';
import type { Endpoint } from '../../src/webhook/handler.js';
import { testSettings } from '../../test/helpers/webhook.js';
import { benchBodies } from './bodies.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : fallback;
};
const ITERATIONS = Number(flag('iterations', '3000'));
const ENDPOINT = flag('endpoint', 'validate') as Endpoint;
const settings = testSettings();

/** CPU time of the process (user + system) per call of `step`, in microseconds: on a shared machine wall time mostly measures the neighbours. */
function cpuMicroseconds(step: () => void): number {
  const before = process.cpuUsage();
  for (let i = 0; i < ITERATIONS; i++) step();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / ITERATIONS;
}

for (const body of benchBodies()) {
  // Warm up so the optimising compiler has seen every path.
  for (let i = 0; i < 500; i++) handleAdmission(ENDPOINT, body.text, settings);
  const handler = cpuMicroseconds(() => handleAdmission(ENDPOINT, body.text, settings));
  let steps = '';
  if (ENDPOINT === 'validate') {
    const decoded = decodeReview(body.text);
    if (!decoded.ok) throw new Error(decoded.message);
    const verdict = evaluate(decoded.request, settings);
    const answer = review(validateResponse(decoded.request.uid, verdict, settings.mode));
    const decode = cpuMicroseconds(() => decodeReview(body.text));
    const engine = cpuMicroseconds(() => evaluate(decoded.request, settings));
    const build = cpuMicroseconds(() => review(validateResponse(decoded.request.uid, verdict, settings.mode)));
    const serialise = cpuMicroseconds(() => JSON.stringify(answer));
    steps = `; decode ${decode.toFixed(1)}, engine ${engine.toFixed(1)}, build ${build.toFixed(1)}, serialise ${serialise.toFixed(1)} us`;
  }
  process.stdout.write(`${body.name} (${(body.bytes / 1024).toFixed(1)} KiB, ${ENDPOINT}): handler ${handler.toFixed(1)} us CPU${steps}\n`);
}
