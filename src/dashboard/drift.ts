// Reads `rootlock drift scan --format json` output for the HTML report
// (`audit --format html --drift FILE`) and keeps what the page shows. The
// file is checked for the shape the scan writes; anything else is an error
// that names the file, and the line and column when JSON.parse gives one.
import { isObject } from '../core/path.js';
import { readJsonFile } from '../io/json-file.js';

export interface DriftView {
  hostname: string;
  time: string;
  containers: Array<{
    namespace: string;
    pod: string;
    container: string;
    image: string;
    changes: Array<{ path: string; kind: string; class: string; priority: string; suppressed: boolean }>;
    processes: Array<{ pid: number; exe: string; command: string; reason: string; priority: string }>;
    problems: string[];
  }>;
  problems: string[];
}

const text = (value: unknown): string => (typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value));
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

export async function readDriftFile(path: string): Promise<DriftView> {
  const value = await readJsonFile(path);
  if (!isObject(value) || !Array.isArray(value['containers']) || !isObject(value['tool']) || value['tool']['name'] !== 'rootlock') {
    throw new Error(`${path}: not the output of \`rootlock drift scan --format json\` (an object with "tool" and "containers")`);
  }
  return {
    hostname: text(value['hostname']),
    time: text(value['time']),
    problems: list(value['problems']).map(text),
    containers: value['containers'].filter(isObject).map((container) => {
      const identity = isObject(container['identity']) ? container['identity'] : {};
      return {
        namespace: text(identity['podNamespace']),
        pod: text(identity['podName']),
        container: text(identity['containerName'] ?? identity['containerId']),
        image: text(identity['image']),
        changes: list(container['changes']).filter(isObject).map((change) => ({
          path: text(change['path']),
          kind: text(change['kind']),
          class: text(change['class']),
          priority: text(change['priority']),
          suppressed: change['suppressed'] !== undefined,
        })),
        processes: list(container['processes']).filter(isObject).map((process) => ({
          pid: typeof process['pid'] === 'number' ? process['pid'] : 0,
          exe: text(process['exe']),
          command: text(process['command']),
          reason: text(process['reason']),
          priority: text(process['priority']),
        })),
        problems: list(container['problems']).map(text),
      };
    }),
  };
}
