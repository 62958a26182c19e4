import type { Outcome } from '../outcome';
import type { TriggerAudit } from '../../shared/triggers';
import type { UseCaseContext } from '../usecases/context';
import { runUseCase } from '../usecases/context';
import { OperationError } from '../errors';
import { badInput } from './classify';
import { gatherTriggerFacts } from './read';
import { buildAudit } from './views';

export interface AuditInput {
  functionName: string;
  /** The alias the verdicts are relative to; undefined: through any alias or none. */
  aliasName?: string;
}

/**
 * Every trigger of a function and whether it goes through the alias: read-only, not journalled.
 * The outcome's target alias is the audited one, or '' for the whole function.
 */
export function auditTriggers(ctx: UseCaseContext, given: AuditInput): Promise<Outcome<TriggerAudit>> {
  // `checkout:` (no alias after the colon) is the whole function.
  const input: AuditInput = { functionName: given.functionName, ...(given.aliasName ? { aliasName: given.aliasName } : {}) };
  return runUseCase(
    ctx,
    'triggers',
    { functionName: input.functionName, aliasName: input.aliasName ?? '' },
    async (op) => {
      const bad = badInput(input.functionName, input.aliasName);
      if (bad) throw new OperationError(bad, { state: 'Nothing was read.', kind: 'validation' });
      op.progress?.(`Reading the triggers of ${input.functionName}…`);
      const facts = await gatherTriggerFacts(op, input);
      const audit = buildAudit(facts);
      for (const line of audit.unreadable) op.record?.warnings.push(line);
      return audit;
    },
    { journal: false },
  );
}
