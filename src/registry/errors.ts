// One error type for everything the registry client can report, so a command
// can print `error.message` alone (no stack) and branch on `code`.

export type RegistryErrorCode =
  | 'INVALID_REFERENCE'
  | 'MANIFEST_UNKNOWN'
  | 'BLOB_UNKNOWN'
  | 'NAME_UNKNOWN'
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'TOO_MANY_REQUESTS'
  | 'HTTP_ERROR'
  | 'NETWORK'
  | 'TIMEOUT'
  | 'TLS'
  | 'INSECURE'
  | 'PROTOCOL'
  | 'DIGEST_MISMATCH'
  | 'TOO_LARGE'
  | 'CREDENTIALS'
  | 'OFFLINE'
  | 'LOCK_FILE';

export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  constructor(
    readonly code: RegistryErrorCode,
    message: string,
    /** HTTP status of the response that failed, when there was one. */
    readonly status?: number,
  ) {
    super(message);
  }
}

export function isRegistryError(error: unknown): error is RegistryError {
  return error instanceof RegistryError;
}
