/**
 * The AppSpec of a Lambda deployment (YAML or JSON): one `AWS::Lambda::Function` resource with
 * Name, Alias, CurrentVersion and TargetVersion, and optional BeforeAllowTraffic /
 * AfterAllowTraffic hook functions.
 */
import { loadYaml } from '../../shared/yaml';
import type { AppSpecTarget } from './state';

/** The AppSpec's target, or why it does not read (the deployment fails with it, as on AWS). */
export function readAppSpec(content: string): AppSpecTarget | { problem: string } {
  let doc: unknown;
  try {
    doc = loadYaml(content);
  } catch (e) {
    return { problem: `The AppSpec file is neither valid YAML nor JSON: ${(e as Error).message}.` };
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return { problem: 'The AppSpec file must be a mapping with version, Resources and (optionally) Hooks.' };
  const spec = doc as Record<string, unknown>;
  const resources = spec.Resources;
  if (!Array.isArray(resources) || resources.length === 0) return { problem: 'The AppSpec file has no Resources: it needs one AWS::Lambda::Function resource.' };
  if (resources.length > 1) return { problem: `The AppSpec file has ${resources.length} resources; a Lambda deployment takes exactly one AWS::Lambda::Function.` };
  const entry = resources[0] as Record<string, unknown> | null;
  const values = entry && typeof entry === 'object' ? Object.values(entry) : [];
  const resource = values.length === 1 ? (values[0] as Record<string, unknown> | null) : null;
  if (!resource || typeof resource !== 'object') return { problem: 'The AppSpec resource must be a single named entry: - MyFunction: { Type: AWS::Lambda::Function, Properties: … }.' };
  if (resource.Type !== 'AWS::Lambda::Function') return { problem: `The AppSpec resource's Type must be AWS::Lambda::Function; got ${JSON.stringify(resource.Type)}.` };
  const props = (resource.Properties ?? {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' && Number.isInteger(v) ? String(v) : undefined);
  const name = text(props.Name);
  const alias = text(props.Alias);
  const current = text(props.CurrentVersion);
  const target = text(props.TargetVersion);
  const missing = [['Name', name], ['Alias', alias], ['CurrentVersion', current], ['TargetVersion', target]].filter(([, v]) => !v).map(([k]) => k);
  if (missing.length) return { problem: `The AppSpec resource's Properties lack ${missing.join(', ')}.` };
  for (const [k, v] of [['CurrentVersion', current], ['TargetVersion', target]] as const) {
    if (!/^[0-9]+$/.test(v!)) return { problem: `${k} must be a published version number; got ${JSON.stringify(v)}.` };
  }
  if (current === target) return { problem: `TargetVersion must differ from CurrentVersion (both are ${current}).` };
  const out: AppSpecTarget = { functionName: name!, alias: alias!, currentVersion: current!, targetVersion: target! };
  const hooks = spec.Hooks ?? [];
  if (!Array.isArray(hooks)) return { problem: 'The AppSpec Hooks must be a list such as - BeforeAllowTraffic: MyHookFunction.' };
  for (const h of hooks as unknown[]) {
    const pairs = h && typeof h === 'object' ? Object.entries(h as Record<string, unknown>) : [];
    for (const [event, fn] of pairs) {
      if (event !== 'BeforeAllowTraffic' && event !== 'AfterAllowTraffic') return { problem: `The AppSpec hook ${event} is not a Lambda lifecycle event (BeforeAllowTraffic, AfterAllowTraffic).` };
      if (typeof fn !== 'string' || fn === '') return { problem: `The AppSpec hook ${event} must name a Lambda function.` };
      if (event === 'BeforeAllowTraffic') out.beforeAllowTraffic = fn;
      else out.afterAllowTraffic = fn;
    }
    if (pairs.length === 0) return { problem: 'Each AppSpec hook must be a mapping such as BeforeAllowTraffic: MyHookFunction.' };
  }
  return out;
}
