/**
 * The trigger audit's use cases:
 *
 *   auditTriggers(ctx, { functionName, aliasName? }): Promise<Outcome<TriggerAudit>>
 *     action 'triggers', read-only, not journalled. Reads ListEventSourceMappings (unqualified, each
 *     alias, each version an alias routes; deduplicated by UUID), ListFunctionUrlConfigs, GetPolicy
 *     (unqualified, each alias, each routed version; ResourceNotFoundException = no policy),
 *     ListFunctionEventInvokeConfigs, ListAliases. An unreadable source (AccessDenied) is a line in
 *     `unreadable`, never a failure of the whole audit.
 *
 *   preflight(ctx, { functionName, aliasName, version? }): Promise<PreflightReport>
 *     before Publish Canary, Start Canary and a rollout. Never throws: what it cannot read is an
 *     'unreadable' finding.
 *
 *   fixTrigger(ctx, { functionName, aliasName, triggerId, expected? }): Promise<Outcome<TriggerFixDetail>>
 *     action 'trigger-fix', journalled. Re-reads the trigger first and refuses (conflict, nothing
 *     written) when it changed since the audit; the old trigger is never lost.
 *
 *   undoTriggerFix(ctx, { functionName, aliasName, detail }): Promise<Outcome<TriggerFixDetail>>
 *     action 'trigger-fix', journalled: puts back what a fix changed (a mapping's function), or
 *     removes what it created (the alias's URL, the permission on the alias).
 */
export type { AuditInput } from './audit';
export { auditTriggers } from './audit';
export type { PreflightFacts, PreflightInput } from './preflight';
export { preflight, preflightReport } from './preflight';
export type { FixTriggerInput, UndoTriggerFixInput } from './fix';
export { fixTrigger, undoTriggerFix } from './fix';
export type { FunctionRef } from './classify';
export { classifyTarget, parseFunctionRef, routeOfQualifier, routeText, verdictOf, verdictText } from './classify';
export type { TriggerFacts } from './views';
export { buildAudit } from './views';
