/** Base class so services can map every registry error to an HTTP status in one place. */
export class RegistryError extends Error {
  constructor(
    message: string,
    /** Stable machine-readable code, e.g. for `{error: {code}}` bodies. */
    readonly code: string,
    /** Suggested HTTP status. */
    readonly status: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Id, version or file name that could escape the store directory or is not well formed. */
export class InvalidIdError extends RegistryError {
  constructor(message: string) {
    super(message, 'invalid_id', 400);
  }
}

/** A published version is immutable: same id+version with a different digest is refused. */
export class ImmutableVersionError extends RegistryError {
  constructor(id: string, version: string, existingDigest: string, newDigest: string) {
    super(
      `${id}@${version} is already published with digest ${existingDigest}; publish a new version instead of ${newDigest}`,
      'immutable_version',
      409,
    );
  }
}

export class InvalidArtifactError extends RegistryError {
  constructor(message: string) {
    super(message, 'invalid_artifact', 400);
  }
}

export class InvalidRangeError extends RegistryError {
  constructor(range: string) {
    super(`not a version or semver range: ${JSON.stringify(range)}`, 'invalid_range', 400);
  }
}

export class NotFoundError extends RegistryError {
  constructor(message: string) {
    super(message, 'not_found', 404);
  }
}
