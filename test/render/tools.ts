// The real helm and kustomize the render tests run, each built from the Go
// module proxy by test/render/build-<tool>.sh and cached outside the
// repository (test/policy/tools.ts builtGoTool, as for opa).
import { builtGoTool } from '../policy/tools.js';

/** The binary `build-<tool>.sh --print-path` names, built (minutes, once) when missing; the script waits on a build in progress. */
export function renderTool(tool: 'helm' | 'kustomize'): string {
  return builtGoTool('test/render', tool);
}
