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
    /** More members of the error body, e.g. TooManyRequestsException's Reason. */
    readonly members: Record<string, string> = {},
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

/**
 * Why Lambda throttled a request (the model's ThrottleReason): CallerRateLimitExceeded for a
 * control-plane API over its requests-per-second quota, the others for invocations.
 */
export type ThrottleReason = 'CallerRateLimitExceeded' | 'ConcurrentInvocationLimitExceeded' | 'ReservedFunctionConcurrentInvocationLimitExceeded';

/**
 * Lambda's throttling answer, as its model (aws-sdk-js-v3 client-lambda, TooManyRequestsException)
 * gives it: HTTP 429; the body's Type, message and Reason; retryAfterSeconds in a Retry-After header.
 */
export const tooManyRequests = (reason?: ThrottleReason, retryAfterSeconds = 1): AwsError =>
  new AwsError('TooManyRequestsException', 429, 'Rate exceeded', 'User', { 'Retry-After': String(retryAfterSeconds) }, reason ? { Reason: reason } : {});

/**
 * The other services' throttling answers: CloudWatch's `Throttling` (400, its Query code too),
 * CodeDeploy's ThrottlingException (400), CloudTrail's ThrottlingException (429).
 */
export const throttling = (service: 'cloudwatch' | 'codedeploy' | 'cloudtrail'): AwsError =>
  service === 'cloudwatch'
    ? new AwsError('Throttling', 400, 'Rate exceeded', 'User', { 'x-amzn-query-error': 'Throttling;Sender' })
    : new AwsError('ThrottlingException', service === 'cloudtrail' ? 429 : 400, 'Rate exceeded');

export const serviceError = (message = 'An internal error occurred.'): AwsError =>
  new AwsError('ServiceException', 500, message, 'Service');

/** A resource in a transition (an event source mapping Creating, Updating, …): retry later. */
export const resourceInUse = (message: string): AwsError => new AwsError('ResourceInUseException', 400, message);
