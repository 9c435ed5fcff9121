/** Any non-2xx answer (decoded from `{error: {code, message, details}}`) or transport failure (status 0). */
export class LinkOpsHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly url?: string,
  ) {
    super(message);
    this.name = 'LinkOpsHttpError';
  }
}
