/** Base for fetch failures the crawler records per page instead of crashing. */
export class FetchError extends Error {
  constructor(
    message: string,
    /** Short machine-readable reason, e.g. 'private-address', 'max-bytes'. */
    readonly reason: string,
    readonly url: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * The request was refused by policy. phase says where: 'preflight' (URL checked before any
 * connection), 'connect' (resolved address checked at connect time) or 'response' (e.g. content type).
 */
export class FetchBlockedError extends FetchError {
  constructor(
    message: string,
    reason: string,
    url: string,
    readonly phase: 'preflight' | 'connect' | 'response',
  ) {
    super(message, reason, url);
  }
}

/** A cap was hit: bytes, time or redirects. */
export class FetchLimitError extends FetchError {}
