import { capabilityEntries, normalizeCapability } from '../../core/capabilities.js';
import { containerSecurityContextPath } from '../../core/security-context.js';
import { defineRule } from '../../core/rule.js';
import type { Severity } from '../../core/types.js';
import { describeContainer } from '../describe.js';

/** Capabilities that reach past the container boundary, and what each one lets a process do. */
export const DANGEROUS_CAPABILITIES: ReadonlyMap<string, string> = new Map([
  ['ALL', 'grants every capability, SYS_ADMIN included'],
  ['SYS_ADMIN', 'lets a process mount filesystems and remount the root filesystem writable, and underlies many container escapes'],
  ['NET_ADMIN', 'lets a process change interfaces, routes and iptables rules of the pod network'],
  ['SYS_PTRACE', 'lets a process trace and inject code into other processes it can see'],
  ['SYS_MODULE', 'lets a process load modules into the node\'s kernel'],
  ['DAC_READ_SEARCH', 'bypasses read permission checks and allows open_by_handle_at, which can read host files'],
  ['BPF', 'lets a process load eBPF programs into the node\'s kernel'],
  ['PERFMON', 'opens kernel performance monitoring and, with BPF, kernel tracing'],
  ['SYS_RAWIO', 'gives raw access to I/O ports and block devices'],
  ['SYS_BOOT', 'lets a process call reboot and kexec_load'],
  ['SYS_TIME', 'lets a process set the node\'s clock, which is not namespaced'],
  ['MAC_ADMIN', 'lets a process change the AppArmor or SELinux policy'],
  ['MAC_OVERRIDE', 'lets a process bypass AppArmor or SELinux'],
  ['LINUX_IMMUTABLE', 'lets a process clear the immutable and append-only flags on files'],
  ['SYSLOG', 'lets a process read and clear the kernel log, which leaks kernel addresses'],
  ['AUDIT_CONTROL', 'lets a process change the kernel audit rules'],
]);

/** The one capability the CKS study guide's checklist and the Restricted Pod Security Standard allow adding. */
const ALLOWED = 'NET_BIND_SERVICE';

export default defineRule({
  id: 'no-added-capabilities',
  severity: 'warning',
  enforcement: 'warn',
  admission: () => import('./admission.js'),
  fixable: false,
  fixSafety: {
    manualReason: 'removing a capability the process uses stops it; confirm it is not needed',
    // Capabilities the knowledge base says the image needs (often added back by drop-all-capabilities) are reported at info.
    infoNeedsNoDecision: true,
  },
  checklist: 'All capabilities dropped (drop: [ALL])',
  docs: {
    summary: 'Container that adds capabilities beyond NET_BIND_SERVICE',
    rationale:
      'Every added capability widens what a compromised process can do; the CKS study guide\'s complete example drops ALL ' +
      'and adds nothing, and the Restricted Pod Security Standard allows adding only NET_BIND_SERVICE. Some are ' +
      'as good as root on the node: SYS_ADMIN lets a process remount the root filesystem writable, undoing ' +
      'readOnlyRootFilesystem, and is behind many container escapes; SYS_MODULE and BPF load code into the node\'s ' +
      'kernel; SYS_PTRACE injects code into other processes; NET_ADMIN rewrites the pod network; ALL grants them ' +
      'all. Those are reported as errors, the rest as warnings. CAP_SYS_ADMIN and SYS_ADMIN are the same ' +
      'capability to the container runtime and are treated alike. Where the image knowledge base records that an ' +
      'image needs a capability once ALL are dropped (for example CHOWN, SETUID and SETGID for the official nginx), ' +
      'the finding says so and is lowered to info: removing it would break the image.',
    remediation:
      'Remove each added capability the workload does not need and keep drop: [ALL]. For a capability the image ' +
      'needs, prefer an image that does not (nginxinc/nginx-unprivileged instead of nginx), or keep it with an ' +
      'exemption that gives the reason. rootlock does not remove capabilities itself, because only a test of the ' +
      'workload can show it still works without them.',
    references: [
      'https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#set-capabilities-for-a-container',
      'https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted',
      'https://man7.org/linux/man-pages/man7/capabilities.7.html',
    ],
  },
  check(context) {
    for (const container of context.containers()) {
      const added = capabilityEntries(context.effective(container).capabilities.value, 'add');
      if (added.length === 0) continue;
      const knowledge = context.knowledge.lookup(container.image);
      const needed = new Set((knowledge?.capabilities ?? []).map(normalizeCapability));
      const addPath = [...containerSecurityContextPath(container), 'capabilities', 'add'];
      for (const entry of added) {
        if (entry.capability === ALLOWED) continue;
        const danger = DANGEROUS_CAPABILITIES.get(entry.capability);
        const imageNeedsIt = needed.has(entry.capability);
        let severity: Severity | undefined;
        if (imageNeedsIt) severity = danger ? 'warning' : 'info';
        else if (danger) severity = 'error';
        const what = danger ? `, which ${danger}` : '';
        const why = imageNeedsIt
          ? `; image ${container.image ?? ''} needs it once ALL are dropped, per the rootlock knowledge base`
          : danger ? '' : ', beyond the NET_BIND_SERVICE an immutable container may add';
        context.report({
          container,
          path: [...addPath, entry.index],
          ...(severity ? { severity } : {}),
          message: `${describeContainer(container)} adds capability ${entry.name}${what}${why}`,
          hint: imageNeedsIt
            ? 'keep it only with drop: [ALL], or use an image variant that does not need it (and exempt it with a reason)'
            : `remove ${entry.name} from securityContext.capabilities.add unless the workload needs it, and keep drop: [ALL]`,
        });
      }
    }
  },
});
