import { createHash } from 'node:crypto';
import { loadYaml } from '../../shared/yaml';

/**
 * The AppSpec of a Lambda deployment (CodeDeploy's `AppSpecContent`): version 0.0, one
 * `AWS::Lambda::Function` resource with Name, Alias, CurrentVersion and TargetVersion, and the
 * optional BeforeAllowTraffic / AfterAllowTraffic hook functions. Written as JSON (YAML's subset,
 * which CodeDeploy reads too), with the SHA-256 of exactly that text. Pure.
 */

export interface AppSpecInput {
  functionName: string;
  aliasName: string;
  currentVersion: string;
  targetVersion: string;
  hooks?: { beforeAllowTraffic?: string; afterAllowTraffic?: string };
}

export interface AppSpecOut {
  content: string;
  /** Hex SHA-256 of `content`, as AppSpecContent's sha256 takes it. */
  sha256: string;
}

/** What a deployment's AppSpec says, read back from any AppSpec (JSON or YAML) a Lambda deployment was made with. */
export interface AppSpecFacts {
  functionName: string;
  aliasName: string;
  currentVersion?: string;
  targetVersion?: string;
  hooks: { beforeAllowTraffic?: string; afterAllowTraffic?: string };
}

/** The resource's key in the AppSpec: its function name, letters and digits only (an ARN's too). */
function resourceKey(functionName: string): string {
  const name = /function:([^:]+)/.exec(functionName)?.[1] ?? functionName;
  return name.replace(/[^A-Za-z0-9]/g, '') || 'LambdaFunction';
}

export function appSpecOf(input: AppSpecInput): AppSpecOut {
  const hooks: Array<Record<string, string>> = [];
  if (input.hooks?.beforeAllowTraffic) hooks.push({ BeforeAllowTraffic: input.hooks.beforeAllowTraffic });
  if (input.hooks?.afterAllowTraffic) hooks.push({ AfterAllowTraffic: input.hooks.afterAllowTraffic });
  const spec = {
    version: 0.0,
    Resources: [
      {
        [resourceKey(input.functionName)]: {
          Type: 'AWS::Lambda::Function',
          Properties: { Name: input.functionName, Alias: input.aliasName, CurrentVersion: input.currentVersion, TargetVersion: input.targetVersion },
        },
      },
    ],
    ...(hooks.length ? { Hooks: hooks } : {}),
  };
  // JSON.stringify writes 0.0 as 0; CodeDeploy wants the version as 0.0.
  const content = JSON.stringify(spec, null, 2).replace(/"version": 0,/, '"version": 0.0,');
  return { content, sha256: createHash('sha256').update(content, 'utf8').digest('hex') };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);

/** The Lambda resource and hooks of an AppSpec, or undefined when it names none (text from AWS: parsed, never run). */
export function readAppSpec(content: string | undefined): AppSpecFacts | undefined {
  if (!content) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(content);
  } catch {
    try {
      doc = loadYaml(content);
    } catch {
      return undefined;
    }
  }
  if (!doc || typeof doc !== 'object') return undefined;
  const d = doc as Record<string, unknown>;
  const resources = Array.isArray(d.Resources) ? d.Resources : [];
  for (const r of resources) {
    if (!r || typeof r !== 'object') continue;
    for (const value of Object.values(r as Record<string, unknown>)) {
      const res = value as { Type?: unknown; Properties?: Record<string, unknown> } | undefined;
      if (!res || res.Type !== 'AWS::Lambda::Function' || !res.Properties) continue;
      const functionName = str(res.Properties.Name);
      const aliasName = str(res.Properties.Alias);
      if (!functionName || !aliasName) continue;
      const hooks: AppSpecFacts['hooks'] = {};
      for (const h of Array.isArray(d.Hooks) ? d.Hooks : []) {
        if (!h || typeof h !== 'object') continue;
        const o = h as Record<string, unknown>;
        if (str(o.BeforeAllowTraffic)) hooks.beforeAllowTraffic = str(o.BeforeAllowTraffic);
        if (str(o.AfterAllowTraffic)) hooks.afterAllowTraffic = str(o.AfterAllowTraffic);
      }
      return { functionName, aliasName, currentVersion: str(res.Properties.CurrentVersion), targetVersion: str(res.Properties.TargetVersion), hooks };
    }
  }
  return undefined;
}

/** `checkout`, `arn:aws:lambda:…:function:checkout` and `…:function:checkout:prod` name one function. */
export function sameFunction(a: string, b: string): boolean {
  const bare = (s: string) => /function:([^:]+)/.exec(s)?.[1] ?? s;
  return bare(a) === bare(b);
}
