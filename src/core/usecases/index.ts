/** Every user action, one use case each: (ctx, input) => Promise<Outcome>. */
export type { AliasInput, JournalPort, UseCaseContext } from './context';
export { runUseCase } from './context';
export { promote, rollback, setCanaryWeight, startCanary, switchAlias, switchBack } from './aliasUseCases';
export type { CreateAliasInput } from './createAlias';
export { createAlias } from './createAlias';
export type { DeployImageInput, DeployPackageInput, DeployWorkspaceInput } from './deployWorkspace';
export { deployImage, deployPackage, deployWorkspace } from './deployWorkspace';
export type { ProbeInput, TrafficReportDetail, TrafficReportInput } from './trafficUseCases';
export { probe, trafficReport } from './trafficUseCases';
