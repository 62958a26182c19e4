/**
 * One attempt on the wire for a write that is not idempotent (CreateDeployment: a retry of a
 * request that landed unanswered starts a second deployment). The SDK's retry loop stays the
 * client's; inside it, this command's later attempts do not reach the network: they fail again
 * with the first attempt's error, which the caller then reads back (guardedWrite).
 */
interface StackOf {
  middlewareStack: { add: (mw: (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>, options: { step: 'finalizeRequest'; priority: 'low'; name: string }) => void };
}

export function sentOnce<C extends { middlewareStack: object }>(command: C): C {
  let first: { error: unknown } | undefined;
  (command.middlewareStack as StackOf['middlewareStack']).add(
    (next) => async (args) => {
      if (first) throw first.error;
      try {
        return await next(args);
      } catch (error) {
        first = { error };
        throw error;
      }
    },
    { step: 'finalizeRequest', priority: 'low', name: 'lambdaCanarySentOnce' },
  );
  return command;
}
