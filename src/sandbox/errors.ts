/** An error answered to the client the way AWS does: an exception name, an HTTP status, a message. */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    /** Lambda adds `Type: User | Service` to its error bodies. */
    readonly type: 'User' | 'Service' = status >= 500 ? 'Service' : 'User',
    /** Extra response headers, e.g. Retry-After for throttling. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = code;
  }
}

export const notFound = (message: string): AwsError => new AwsError('ResourceNotFoundException', 404, message);

export const invalidParameter = (message: string): AwsError =>
  new AwsError('InvalidParameterValueException', 400, message);

/**
 * AWS's wording for a request that fails a model constraint (pattern, length, range, enum).
 * These are `ValidationException`, distinct from the semantic `InvalidParameterValueException`.
 */
export const validation = (value: unknown, member: string, constraint: string): AwsError =>
  new AwsError(
    'ValidationException',
    400,
    `1 validation error detected: Value '${typeof value === 'string' ? value : JSON.stringify(value)}' at '${member}' failed to satisfy constraint: ${constraint}`,
  );

export const conflict = (message: string): AwsError => new AwsError('ResourceConflictException', 409, message);

export const preconditionFailed = (message: string): AwsError =>
  new AwsError('PreconditionFailedException', 412, message);

export const tooManyRequests = (): AwsError =>
  new AwsError('TooManyRequestsException', 429, 'Rate exceeded', 'User', { 'Retry-After': '1' });

export const serviceError = (message = 'An internal error occurred.'): AwsError =>
  new AwsError('ServiceException', 500, message, 'Service');

/** A resource in a transition (an event source mapping Creating, Updating, …): retry later. */
export const resourceInUse = (message: string): AwsError => new AwsError('ResourceInUseException', 400, message);
