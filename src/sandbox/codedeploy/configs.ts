/**
 * Deployment configs for computePlatform Lambda: CodeDeploy's predefined `CodeDeployDefault.Lambda*`
 * and custom ones (TimeBasedCanary, TimeBasedLinear, AllAtOnce): Create/Get/List/DeleteDeploymentConfig.
 */
import type { CodeDeployState, ConfigRecord, TrafficRouting } from './state';
import type { Input } from './shared';
import { byName, cdError, nameOf, page, uuid } from './shared';

const PREDEFINED_PREFIX = 'CodeDeployDefault.';

function predefined(): ConfigRecord[] {
  const canary = (minutes: number): ConfigRecord => ({
    name: `CodeDeployDefault.LambdaCanary10Percent${minutes}Minutes`,
    id: '',
    createTime: 0,
    routing: { type: 'TimeBasedCanary', timeBasedCanary: { canaryPercentage: 10, canaryInterval: minutes } },
  });
  const linear = (minutes: number): ConfigRecord => ({
    name: `CodeDeployDefault.LambdaLinear10PercentEvery${minutes}Minute${minutes === 1 ? '' : 's'}`,
    id: '',
    createTime: 0,
    routing: { type: 'TimeBasedLinear', timeBasedLinear: { linearPercentage: 10, linearInterval: minutes } },
  });
  const all: ConfigRecord = { name: 'CodeDeployDefault.LambdaAllAtOnce', id: '', createTime: 0, routing: { type: 'AllAtOnce' } };
  return [
    all,
    canary(5),
    canary(10),
    canary(15),
    canary(30),
    linear(1),
    linear(2),
    linear(3),
    linear(10),
  ].map((c, i) => ({ ...c, id: `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}` }));
}

/** CodeDeploy's predefined Lambda configs, by name. */
export const PREDEFINED_CONFIGS: ReadonlyMap<string, ConfigRecord> = new Map(predefined().map((c) => [c.name, c]));

const configName = (input: Input): string => nameOf(input, 'deploymentConfigName', 'DeploymentConfigNameRequiredException', 'InvalidDeploymentConfigNameException', 'deployment configuration');

/** The steps of a config: the target version's weight (percent) from each minute on, the last 100. */
export function scheduleOf(routing: TrafficRouting): { atMinute: number; percent: number }[] {
  if (routing.type === 'TimeBasedCanary') {
    const { canaryPercentage, canaryInterval } = routing.timeBasedCanary;
    return [
      { atMinute: 0, percent: canaryPercentage },
      { atMinute: canaryInterval, percent: 100 },
    ];
  }
  if (routing.type === 'TimeBasedLinear') {
    const { linearPercentage, linearInterval } = routing.timeBasedLinear;
    const steps: { atMinute: number; percent: number }[] = [];
    for (let i = 0, p = linearPercentage; p < 100; i++, p += linearPercentage) steps.push({ atMinute: i * linearInterval, percent: p });
    steps.push({ atMinute: steps.length * linearInterval, percent: 100 });
    return steps;
  }
  return [{ atMinute: 0, percent: 100 }];
}

function percentage(v: unknown, member: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 99) {
    throw cdError('InvalidTrafficRoutingConfigurationException', `${member} must be a whole percentage from 1 to 99; got ${JSON.stringify(v)}.`);
  }
  return v;
}

function interval(v: unknown, member: string): number {
  // CodeDeploy's console and CloudFormation take up to 2880 minutes (two days).
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 2880) {
    throw cdError('InvalidTrafficRoutingConfigurationException', `${member} must be a whole number of minutes from 1 to 2880; got ${JSON.stringify(v)}.`);
  }
  return v;
}

function routingOf(v: unknown): TrafficRouting {
  if (v === undefined || v === null) {
    throw cdError('InvalidTrafficRoutingConfigurationException', 'A Lambda deployment configuration needs trafficRoutingConfig (type TimeBasedCanary, TimeBasedLinear or AllAtOnce).');
  }
  const r = v as Input;
  if (typeof r !== 'object' || Array.isArray(r)) throw cdError('InvalidTrafficRoutingConfigurationException', 'trafficRoutingConfig must be an object.');
  switch (r.type) {
    case 'TimeBasedCanary': {
      const c = (r.timeBasedCanary ?? {}) as Input;
      return { type: 'TimeBasedCanary', timeBasedCanary: { canaryPercentage: percentage(c.canaryPercentage, 'timeBasedCanary.canaryPercentage'), canaryInterval: interval(c.canaryInterval, 'timeBasedCanary.canaryInterval') } };
    }
    case 'TimeBasedLinear': {
      const l = (r.timeBasedLinear ?? {}) as Input;
      return { type: 'TimeBasedLinear', timeBasedLinear: { linearPercentage: percentage(l.linearPercentage, 'timeBasedLinear.linearPercentage'), linearInterval: interval(l.linearInterval, 'timeBasedLinear.linearInterval') } };
    }
    case 'AllAtOnce':
      return { type: 'AllAtOnce' };
    default:
      throw cdError('InvalidTrafficRoutingConfigurationException', `trafficRoutingConfig.type must be TimeBasedCanary, TimeBasedLinear or AllAtOnce; got ${JSON.stringify(r.type)}.`);
  }
}

export function configInfo(c: ConfigRecord): Input {
  return {
    deploymentConfigId: c.id,
    deploymentConfigName: c.name,
    ...(c.createTime ? { createTime: c.createTime / 1000 } : {}),
    computePlatform: 'Lambda',
    trafficRoutingConfig: c.routing,
  };
}

export class DeploymentConfigsApi {
  constructor(private readonly state: CodeDeployState) {}

  /** The config a name denotes, predefined or custom; DeploymentConfigDoesNotExistException otherwise. */
  find(name: string): ConfigRecord {
    const c = PREDEFINED_CONFIGS.get(name) ?? this.state.configs.get(name);
    if (!c) throw cdError('DeploymentConfigDoesNotExistException', `No deployment configuration found for name: ${name}`);
    return c;
  }

  createDeploymentConfig(input: Input): Input {
    const name = configName(input);
    if (name.startsWith(PREDEFINED_PREFIX)) {
      throw cdError('InvalidDeploymentConfigNameException', `The name ${name} is reserved: names starting with ${PREDEFINED_PREFIX} are CodeDeploy's predefined configurations.`);
    }
    if (input.computePlatform !== 'Lambda') {
      throw cdError('InvalidComputePlatformException', `The sandbox's CodeDeploy serves Lambda deployments only: computePlatform must be Lambda (got ${JSON.stringify(input.computePlatform ?? 'Server')}).`);
    }
    if (input.minimumHealthyHosts !== undefined && input.minimumHealthyHosts !== null) {
      throw cdError('InvalidMinimumHealthyHostValueException', 'minimumHealthyHosts applies to EC2/on-premises deployments, not to computePlatform Lambda.');
    }
    const routing = routingOf(input.trafficRoutingConfig);
    if (this.state.configs.has(name)) throw cdError('DeploymentConfigAlreadyExistsException', `A deployment configuration with the name ${name} already exists.`);
    const c: ConfigRecord = { name, id: uuid(), createTime: this.state.now(), routing };
    this.state.configs.set(name, c);
    return { deploymentConfigId: c.id };
  }

  getDeploymentConfig(input: Input): Input {
    return { deploymentConfigInfo: configInfo(this.find(configName(input))) };
  }

  listDeploymentConfigs(input: Input): Input {
    const names = [...PREDEFINED_CONFIGS.keys(), ...[...this.state.configs.keys()].sort(byName)];
    const p = page(names, input.nextToken);
    return { deploymentConfigsList: p.items, ...(p.nextToken ? { nextToken: p.nextToken } : {}) };
  }

  deleteDeploymentConfig(input: Input): Input {
    const name = configName(input);
    if (PREDEFINED_CONFIGS.has(name)) throw cdError('InvalidOperationException', `The predefined deployment configuration ${name} cannot be deleted.`);
    if (!this.state.configs.has(name)) return {};
    for (const g of this.state.groups.values()) {
      if (g.deploymentConfigName === name) {
        throw cdError('DeploymentConfigInUseException', `The deployment configuration ${name} is in use by the deployment group ${g.deploymentGroupName} of application ${g.applicationName}.`);
      }
    }
    this.state.configs.delete(name);
    return {};
  }
}
