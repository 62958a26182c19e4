/** The local Lambda-compatible sandbox: public surface for the extension, the CLI and tests. */
export { startSandbox, MAX_BODY_BYTES } from './server';
export type { Sandbox, SandboxOptions } from './server';
export { newAccessKeyId } from './gate';
export { seedDemo, seedMany, DEMO_FUNCTIONS, DEMO_TRAFFIC, DEMO_ROLE, DEMO_API_ID } from './seed';
export { TrafficGenerator, parseTrafficArg } from './traffic';
export type { TrafficTarget } from './traffic';
export { parseFaultArg } from './faults';
export type { FaultSpec, FaultKind } from './faults';
export { seededRandom } from './random';
export { VersionBehaviour, parseVersionErrorsArg, parseVersionLatencyArg, parseMetricLag } from './versionBehaviour';
export type { VersionBehaviourSpec } from './versionBehaviour';
export { zipFiles } from './zip';
export { delay } from './delay';
export { DEFAULT_MINUTE_MS as CODEDEPLOY_DEFAULT_MINUTE_MS, CODEDEPLOY_TARGET_PREFIX } from './codedeploy/service';
export type { CodeDeployService } from './codedeploy/service';
