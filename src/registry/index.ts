// Public surface of the registry module: what `rootlock fix --pin-digests` and
// image pulls import. Everything else in this folder is an implementation detail.
export { RegistryClient, resolveDigest, isLoopbackRegistry, MAX_MANIFEST_BYTES, DEFAULT_MAX_BLOB_BYTES } from './client.js';
export type { RegistryClientOptions, ResolvedDigest, FetchedManifest, BlobOptions } from './client.js';
export { RegistryError, isRegistryError } from './errors.js';
export type { RegistryErrorCode } from './errors.js';
export { dockerConfigCredentials, dockerConfigPath, lookupDockerConfig } from './docker-config.js';
export type { Credentials, CredentialSource, DockerConfigOptions } from './docker-config.js';
export { platformManifest, hostPlatform, normalizePlatform } from './platform.js';
export type { Platform, Descriptor } from './platform.js';
export { pinImage } from './pin.js';
export { isDigest, sha256Digest } from './digest.js';
export {
  LOCK_FILE_NAME,
  emptyLock,
  readLockFile,
  writeLockFile,
  parseLockFile,
  serializeLockFile,
  defaultLockFilePath,
  resolveAll,
  UnresolvedImagesError,
} from './lockfile.js';
export type { LockFile, LockEntry, ResolveAllOptions, ResolveAllResult, ImagePin, ResolveFailure } from './lockfile.js';
export * as mediaTypes from './media-types.js';
export type { Transport, HttpRequest, HttpResponse } from './transport.js';
export { nodeTransport } from './transport.js';
