/** The one error envelope every service returns: { error: { code, message, details } }. */
export interface ErrorEnvelope {
  error: { code: string; message: string; details?: unknown };
}

export interface FieldProblem {
  field: string;
  reason: string;
}

/** Throw from handlers/engines to answer with a specific status and code. */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (message: string, details?: unknown) => new AppError(400, 'bad_request', message, details);
export const validationFailed = (problems: FieldProblem[]) =>
  new AppError(400, 'validation_failed', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);
export const notFound = (what: string) => new AppError(404, 'not_found', `${what} not found`);
export const conflict = (message: string, details?: unknown) => new AppError(409, 'conflict', message, details);
export const notImplemented = (what: string) =>
  new AppError(501, 'not_implemented', `${what} is not implemented yet`);
export const unavailable = (message: string) => new AppError(503, 'unavailable', message);

export function envelope(code: string, message: string, details?: unknown): ErrorEnvelope {
  return details === undefined ? { error: { code, message } } : { error: { code, message, details } };
}

/** Turns zod issues into field problems ("tags.2: Expected string"). */
export function zodProblems(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>, prefix = ''): FieldProblem[] {
  return issues.map((i) => ({
    field: [prefix, ...i.path.map(String)].filter(Boolean).join('.') || prefix || '(body)',
    reason: i.message,
  }));
}
