// Capability names in CEL as the container runtime reads them: trimmed,
// upper-cased, without a CAP_ prefix.

/** CEL: capability `d` normalized. */
export const NORMALIZED_CAPABILITY_CEL = "(d.trim().upperAscii().startsWith('CAP_') ? d.trim().upperAscii().substring(4) : d.trim().upperAscii())";
