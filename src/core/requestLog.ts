import type { Logger } from './log';

/** What this adds to an AWS SDK v3 client's middleware stack (the SDK's own types are per service). */
interface Stack {
  add(middleware: (next: (args: unknown) => Promise<unknown>, context: { clientName?: string; commandName?: string }) => (args: unknown) => Promise<unknown>, options: { step: 'initialize'; name: string; override?: boolean }): void;
}

interface Metadata {
  httpStatusCode?: number;
  requestId?: string;
  attempts?: number;
}

/** `LambdaClient` → `Lambda`. */
const serviceOf = (clientName: string | undefined) => (clientName ?? 'AWS').replace(/Client$/, '');
const commandOf = (commandName: string | undefined) => (commandName ?? 'request').replace(/Command$/, '');

/** One line per AWS call: what, how it ended, how long it took, its request id and retries. */
export function requestLine(clientName: string | undefined, commandName: string | undefined, ms: number, meta: Metadata | undefined, error?: { name?: string }): string {
  const what = `${serviceOf(clientName)}.${commandOf(commandName)}`;
  const facts = [`${Math.round(ms)} ms`];
  if (meta?.attempts && meta.attempts > 1) facts.push(`${meta.attempts} attempts`);
  if (meta?.requestId) facts.push(`request ${meta.requestId}`);
  const status = meta?.httpStatusCode ? ` ${meta.httpStatusCode}` : '';
  return error ? `${what} failed${status}: ${error.name ?? 'Error'} (${facts.join(', ')})` : `${what}${status} (${facts.join(', ')})`;
}

/**
 * Logs every call a client sends at debug level, so that raising the log's verbosity (the
 * "Lambda Canary" output channel's level, or the CLI's --verbose) shows each AWS request. No
 * request or response content is logged: only the operation, its status, time and request id.
 */
export function logRequests(client: { middlewareStack: object }, log: Logger, now: () => number = () => performance.now()): void {
  (client.middlewareStack as Stack).add(
    (next, context) => async (args) => {
      const t0 = now();
      try {
        const out = (await next(args)) as { output?: { $metadata?: Metadata } };
        log.debug(requestLine(context.clientName, context.commandName, now() - t0, out.output?.$metadata));
        return out;
      } catch (e) {
        const err = e as { name?: string; $metadata?: Metadata };
        log.debug(requestLine(context.clientName, context.commandName, now() - t0, err.$metadata, err));
        throw e;
      }
    },
    { step: 'initialize', name: 'lambdaCanaryRequestLog', override: true },
  );
}
