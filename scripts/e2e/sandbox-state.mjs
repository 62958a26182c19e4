// The sandbox's state as the AWS SDK reads it: what the e2e steps check besides the UI.
// (The SDK's notice that its 2027 releases need Node 22 is known; it only clutters the output.)
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
import { Buffer } from 'node:buffer';
import { GetAliasCommand, GetEventSourceMappingCommand, GetFunctionConfigurationCommand, InvokeCommand, LambdaClient, ListAliasesCommand, ListEventSourceMappingsCommand, ListFunctionsCommand, ListVersionsByFunctionCommand } from '@aws-sdk/client-lambda';

export class SandboxState {
  constructor(endpoint) {
    this.lambda = new LambdaClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'e2e', secretAccessKey: 'e2e' }, maxAttempts: 2 });
  }

  async functionNames() {
    const names = [];
    let Marker;
    do {
      const r = await this.lambda.send(new ListFunctionsCommand({ Marker }));
      names.push(...(r.Functions ?? []).map((f) => f.FunctionName));
      Marker = r.NextMarker;
    } while (Marker);
    return names.sort();
  }

  alias(functionName, name) {
    return this.lambda.send(new GetAliasCommand({ FunctionName: functionName, Name: name }));
  }

  async aliases(functionName) {
    return (await this.lambda.send(new ListAliasesCommand({ FunctionName: functionName }))).Aliases ?? [];
  }

  async versions(functionName) {
    const out = [];
    let Marker;
    do {
      const r = await this.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: functionName, Marker }));
      out.push(...(r.Versions ?? []));
      Marker = r.NextMarker;
    } while (Marker);
    return out;
  }

  /** The mappings of the function's unqualified ARN and of each of its aliases (as Lambda lists them: by the FunctionName given), all pages, by UUID. */
  async mappings(functionName) {
    const byUuid = new Map();
    for (const name of [functionName, ...(await this.aliases(functionName)).map((a) => `${functionName}:${a.Name}`)]) {
      let Marker;
      do {
        const r = await this.lambda.send(new ListEventSourceMappingsCommand({ FunctionName: name, Marker }));
        for (const m of r.EventSourceMappings ?? []) byUuid.set(m.UUID, m);
        Marker = r.NextMarker;
      } while (Marker);
    }
    return [...byUuid.values()];
  }

  mapping(uuid) {
    return this.lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));
  }

  latest(functionName) {
    return this.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
  }

  /** Invokes `functionName:qualifier`; returns { version, payload } (payload parsed). */
  async invoke(functionName, qualifier, event = {}) {
    const r = await this.lambda.send(new InvokeCommand({ FunctionName: functionName, Qualifier: qualifier, Payload: Buffer.from(JSON.stringify(event)) }));
    const text = Buffer.from(r.Payload ?? []).toString('utf8');
    if (r.FunctionError) throw new Error(`${functionName}:${qualifier} failed (${r.FunctionError}): ${text}`);
    return { version: r.ExecutedVersion, payload: JSON.parse(text) };
  }

  /** The alias as routing facts: { version, weights: { [version]: weight } }. */
  async routing(functionName, name) {
    const a = await this.alias(functionName, name);
    return { version: a.FunctionVersion, weights: { ...(a.RoutingConfig?.AdditionalVersionWeights ?? {}) }, revisionId: a.RevisionId };
  }

  /** The tree's label for an alias, computed from the SDK's answer (what the UI must show). */
  static label(alias) {
    const w = Object.entries(alias.RoutingConfig?.AdditionalVersionWeights ?? {}).filter(([, x]) => x > 0);
    if (w.length === 0) return `${alias.Name} → ${alias.FunctionVersion}`;
    const [v, x] = w[0];
    const pct = (f) => `${Number((f * 100).toFixed(4))}%`;
    return `${alias.Name} → ${alias.FunctionVersion} (${pct(1 - x)}) · ${v} (${pct(x)})`;
  }
}
