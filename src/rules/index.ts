// The rule registry. A guard test checks that every folder under src/rules is listed here.
import type { RuleDefinition } from '../core/rule.js';
import readOnlyRootFilesystem from './read-only-root-filesystem/rule.js';
import writablePathsMounted from './writable-paths-mounted/rule.js';
import misplacedSecurityContext from './misplaced-security-context/rule.js';
import runAsNonRoot from './run-as-non-root/rule.js';

export const RULES: readonly RuleDefinition[] = [
  readOnlyRootFilesystem,
  writablePathsMounted,
  misplacedSecurityContext,
  runAsNonRoot,
];

export const RULE_IDS: ReadonlySet<string> = new Set(RULES.map((rule) => rule.id));
