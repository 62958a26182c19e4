import type { AliasConfiguration } from '@aws-sdk/client-lambda';
import { CreateAliasCommand } from '@aws-sdk/client-lambda';
import { OperationError, unknownOutcome } from '../errors';
import { guardedWrite, step } from '../guardedWrite';
import { errorName, getAlias, getVersion } from '../lambdaApi';
import type { Outcome } from '../outcome';
import { aliasNameProblem } from '../workspace';
import type { UseCaseContext } from './context';
import { runUseCase } from './context';

export interface CreateAliasInput {
  functionName: string;
  aliasName: string;
  /** The published version the new alias points to, all of its traffic. */
  version: string;
  description?: string;
}

/**
 * A new alias on a published, Active version (e.g. the alias a deploy needs when the workspace
 * declares none). Refused, with nothing written, for a bad name, `$LATEST` or a version that is
 * not Active, and when an alias of that name exists already (pick it instead). Its outcome has
 * no `before`, and the new alias as `after`.
 */
export function createAlias(ctx: UseCaseContext, input: CreateAliasInput): Promise<Outcome> {
  return runUseCase(ctx, 'create-alias', input, async (op) => {
    const nothing = 'Nothing was created.';
    const refuse = (message: string) => new OperationError(message, { state: nothing, kind: 'validation' });
    const problem = aliasNameProblem(input.aliasName);
    if (problem) throw refuse(problem);
    if (!/^[0-9]+$/.test(input.version)) throw refuse(`'${input.version}' is not a published version: an alias for canaries points to a version number, not $LATEST.`);
    const v = await step(op, `GetFunctionConfiguration ${input.functionName}:${input.version}`, nothing, () => getVersion(op.lambda, input.functionName, input.version, op.signal));
    if (v.State && v.State !== 'Active') throw refuse(`Version ${input.version} is ${v.State}; an alias can only be created on an Active version.`);
    const created = await guardedWrite<AliasConfiguration, AliasConfiguration | undefined>(op, {
      step: `CreateAlias ${input.aliasName}`,
      stateIfFailed: nothing,
      send: () =>
        op.lambda.send(new CreateAliasCommand({ FunctionName: input.functionName, Name: input.aliasName, FunctionVersion: input.version, ...(input.description ? { Description: input.description } : {}) })),
      readBack: async () => {
        try {
          return await getAlias(op.lambda, input.functionName, input.aliasName);
        } catch (e) {
          // Not there: the write did not land (a clear answer, not an unknown one).
          if (errorName(e) === 'ResourceNotFoundException') return undefined;
          throw e;
        }
      },
      landedNote: `${input.aliasName} reads back on version ${input.version}: the alias was created`,
      judge: (now) => {
        if (!now) return {};
        const weights = Object.keys(now.RoutingConfig?.AdditionalVersionWeights ?? {});
        if (now.FunctionVersion === input.version && weights.length === 0) return { landed: now };
        throw exists(input, now);
      },
      unknown: (cause) =>
        unknownOutcome({
          step: `CreateAlias ${input.aliasName}`,
          subject: input.aliasName,
          cause,
          maybe: `${input.aliasName} may now exist on version ${input.version}, or not at all.`,
          check: `Refresh the function's aliases: if ${input.aliasName} is listed, it was created; if not, create it again.`,
        }),
      refused: (name, cause) => (name === 'ResourceConflictException' ? exists(input, undefined, cause) : undefined),
    });
    if (op.record) op.record.after = created;
    op.log.info(`Created ${input.aliasName} → version ${input.version}.`);
    return undefined;
  });
}

function exists(input: CreateAliasInput, now: AliasConfiguration | undefined, cause?: unknown): OperationError {
  return new OperationError(
    `${input.functionName} already has an alias ${input.aliasName}${now?.FunctionVersion ? ` (on version ${now.FunctionVersion})` : ''}: pick it instead of creating it.`,
    { step: `CreateAlias ${input.aliasName}`, state: 'Nothing was created.', cause, kind: 'conflict' },
  );
}
