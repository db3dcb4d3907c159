// The rule registry. A guard test checks that every folder under src/rules is listed here.
import type { RuleDefinition } from '../core/rule.js';
import readOnlyRootFilesystem from './read-only-root-filesystem/rule.js';
import writablePathsMounted from './writable-paths-mounted/rule.js';
import misplacedSecurityContext from './misplaced-security-context/rule.js';
import runAsNonRoot from './run-as-non-root/rule.js';
import noPrivilegeEscalation from './no-privilege-escalation/rule.js';
import noPrivileged from './no-privileged/rule.js';
import dropAllCapabilities from './drop-all-capabilities/rule.js';
import noAddedCapabilities from './no-added-capabilities/rule.js';
import noWritableHostPath from './no-writable-host-path/rule.js';

export const RULES: readonly RuleDefinition[] = [
  readOnlyRootFilesystem,
  writablePathsMounted,
  misplacedSecurityContext,
  runAsNonRoot,
  noPrivilegeEscalation,
  noPrivileged,
  dropAllCapabilities,
  noAddedCapabilities,
  noWritableHostPath,
];

export const RULE_IDS: ReadonlySet<string> = new Set(RULES.map((rule) => rule.id));
