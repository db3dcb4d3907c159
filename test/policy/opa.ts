// Runs the generated Gatekeeper Rego in a real `opa` binary (test/policy/build-opa.sh),
// all cases in one process: each case becomes Gatekeeper's input
// (input.review.object, input.review.operation, input.parameters) through `with input as`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { regoModule, regoPackage } from '../../src/policy/rego.js';
import type { AdmissionCheck } from '../../src/policy/admission-checks.js';
import { builtTool } from './tools.js';

export interface GatekeeperInput {
  review: { object: unknown; operation: string; subResource?: string; kind: { group: string; version: string; kind: string } };
  parameters: Record<string, unknown>;
}

/** The opa binary, built (minutes, once) when missing. */
export function opaBinary(): string {
  return builtTool('opa');
}

const DRIVER = `package rootlockdriver
import rego.v1

results[id] := {rule: msgs |
  some rule, pkg in data.packages
  msgs := [v.msg | some v in data[pkg].violation] with input as data.cases[id]
} if some id, _ in data.cases
`;

/** Runs `opa check` on the generated modules; with v0 set, as Gatekeeper's default (Rego v0) parser reads them. */
export function checkRego(checks: readonly AdmissionCheck[], v0: boolean): void {
  const dir = mkdtempSync(join(tmpdir(), 'rootlock-opa-'));
  try {
    for (const check of checks) writeFileSync(join(dir, `${check.rule}.rego`), regoModule(check));
    execFileSync(opaBinary(), ['check', ...(v0 ? ['--v0-compatible'] : []), dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Case id -> rule id -> violation messages, from one `opa eval`. */
export function evaluateRego(checks: readonly AdmissionCheck[], inputs: ReadonlyMap<string, GatekeeperInput>): Map<string, Map<string, string[]>> {
  const dir = mkdtempSync(join(tmpdir(), 'rootlock-opa-'));
  try {
    for (const check of checks) writeFileSync(join(dir, `${check.rule}.rego`), regoModule(check));
    writeFileSync(join(dir, 'driver.rego'), DRIVER);
    const data = {
      packages: Object.fromEntries(checks.map((check) => [check.rule, regoPackage(check.rule)])),
      cases: Object.fromEntries(inputs),
    };
    writeFileSync(join(dir, 'data.json'), JSON.stringify(data));
    const out = execFileSync(opaBinary(), ['eval', '--format', 'json', '--data', dir, 'data.rootlockdriver.results'], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    const parsed = JSON.parse(out) as { result?: Array<{ expressions: Array<{ value: Record<string, Record<string, string[]>> }> }> };
    const value = parsed.result?.[0]?.expressions[0]?.value;
    if (!value) throw new Error(`opa eval returned no result: ${out.slice(0, 500)}`);
    return new Map(Object.entries(value).map(([id, rules]) => [id, new Map(Object.entries(rules))]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
