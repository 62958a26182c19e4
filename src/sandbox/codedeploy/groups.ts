/** Create/Get/List/Update/DeleteDeploymentGroup for computePlatform Lambda. */
import type { ApplicationsApi } from './applications';
import { applicationName } from './applications';
import type { DeploymentConfigsApi } from './configs';
import type { AlarmConfig, AutoRollbackConfig, CodeDeployState, GroupRecord } from './state';
import { IN_FLIGHT } from './state';
import type { Input } from './shared';
import { byName, cdError, nameOf, optionalBoolean, page, seconds, uuid } from './shared';

const groupName = (input: Input, member = 'deploymentGroupName'): string =>
  nameOf(input, member, 'DeploymentGroupNameRequiredException', 'InvalidDeploymentGroupNameException', 'deployment group');

const ROLLBACK_EVENTS = ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM', 'DEPLOYMENT_STOP_ON_REQUEST'];
/** CodeDeploy's limit on a deployment group's alarms. */
const MAX_ALARMS = 50;

export function alarmConfigOf(v: unknown, prior?: AlarmConfig): AlarmConfig {
  if (v === undefined || v === null) return prior ?? { enabled: false, ignorePollAlarmFailure: false, alarms: [] };
  if (typeof v !== 'object' || Array.isArray(v)) throw cdError('InvalidAlarmConfigException', 'alarmConfiguration must be an object.');
  const c = v as Input;
  const enabled = optionalBoolean(c, 'enabled') ?? false;
  const ignore = optionalBoolean(c, 'ignorePollAlarmFailure') ?? false;
  if (c.alarms !== undefined && !Array.isArray(c.alarms)) throw cdError('InvalidAlarmConfigException', 'alarmConfiguration.alarms must be a list of { name }.');
  const alarms = ((c.alarms as unknown[] | undefined) ?? []).map((a) => {
    const name = (a as Input | null)?.name;
    if (typeof name !== 'string' || name.length < 1 || name.length > 255) throw cdError('InvalidAlarmConfigException', `Each alarm needs a name of 1 to 255 characters; got ${JSON.stringify(name)}.`);
    return { name };
  });
  if (alarms.length > MAX_ALARMS) throw cdError('AlarmsLimitExceededException', `A deployment group takes at most ${MAX_ALARMS} alarms; got ${alarms.length}.`);
  if (new Set(alarms.map((a) => a.name)).size !== alarms.length) throw cdError('InvalidAlarmConfigException', 'The same alarm is named twice in alarmConfiguration.alarms.');
  if (enabled && alarms.length === 0) throw cdError('InvalidAlarmConfigException', 'alarmConfiguration is enabled but names no alarm.');
  return { enabled, ignorePollAlarmFailure: ignore, alarms };
}

export function rollbackConfigOf(v: unknown, prior?: AutoRollbackConfig): AutoRollbackConfig {
  if (v === undefined || v === null) return prior ?? { enabled: false, events: [] };
  if (typeof v !== 'object' || Array.isArray(v)) throw cdError('InvalidAutoRollbackConfigException', 'autoRollbackConfiguration must be an object.');
  const c = v as Input;
  const enabled = optionalBoolean(c, 'enabled') ?? false;
  const events = c.events ?? [];
  if (!Array.isArray(events) || events.some((e) => !ROLLBACK_EVENTS.includes(e as string))) {
    throw cdError('InvalidAutoRollbackConfigException', `autoRollbackConfiguration.events must be a list of ${ROLLBACK_EVENTS.join(', ')}.`);
  }
  if (enabled && events.length === 0) throw cdError('InvalidAutoRollbackConfigException', 'autoRollbackConfiguration is enabled but names no event (DEPLOYMENT_FAILURE, DEPLOYMENT_STOP_ON_ALARM, DEPLOYMENT_STOP_ON_REQUEST).');
  return { enabled, events: [...new Set(events as string[])] };
}

function checkRole(v: unknown, required: boolean): string | undefined {
  if (v === undefined || v === null || v === '') {
    if (required) throw cdError('RoleRequiredException', 'A deployment group needs a service role: serviceRoleArn is required.');
    return undefined;
  }
  if (typeof v !== 'string' || !/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(v)) {
    throw cdError('InvalidRoleException', `The service role ARN ${JSON.stringify(v)} is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME).`);
  }
  return v;
}

function checkStyle(v: unknown): void {
  if (v === undefined || v === null) return;
  const s = v as Input;
  if ((s.deploymentType !== undefined && s.deploymentType !== 'BLUE_GREEN') || (s.deploymentOption !== undefined && s.deploymentOption !== 'WITH_TRAFFIC_CONTROL')) {
    throw cdError('InvalidDeploymentStyleException', 'A Lambda deployment group is BLUE_GREEN WITH_TRAFFIC_CONTROL: CodeDeploy shifts the alias traffic.');
  }
}

const last = (l: GroupRecord['lastAttempted']) => l && { deploymentId: l.deploymentId, status: l.status, endTime: seconds(l.endTime), createTime: seconds(l.createTime) };

export class DeploymentGroupsApi {
  constructor(
    private readonly state: CodeDeployState,
    private readonly applications: ApplicationsApi,
    private readonly configs: DeploymentConfigsApi,
  ) {}

  find(application: string, group: string): GroupRecord {
    this.applications.find(application);
    const g = this.state.groups.get(this.state.groupKey(application, group));
    if (!g) throw cdError('DeploymentGroupDoesNotExistException', `No Deployment Group found for name: ${group}`);
    return g;
  }

  info(g: GroupRecord): Input {
    return {
      applicationName: g.applicationName,
      deploymentGroupId: g.deploymentGroupId,
      deploymentGroupName: g.deploymentGroupName,
      deploymentConfigName: g.deploymentConfigName,
      serviceRoleArn: g.serviceRoleArn,
      alarmConfiguration: g.alarmConfiguration,
      autoRollbackConfiguration: g.autoRollbackConfiguration,
      deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
      computePlatform: 'Lambda',
      triggerConfigurations: [],
      ...(g.lastAttempted ? { lastAttemptedDeployment: last(g.lastAttempted) } : {}),
      ...(g.lastSuccessful ? { lastSuccessfulDeployment: last(g.lastSuccessful) } : {}),
    };
  }

  createDeploymentGroup(input: Input): Input {
    const app = applicationName(input);
    const name = groupName(input);
    this.applications.find(app);
    const role = checkRole(input.serviceRoleArn, true)!;
    const config = input.deploymentConfigName === undefined || input.deploymentConfigName === null ? 'CodeDeployDefault.LambdaAllAtOnce' : this.configs.find(String(input.deploymentConfigName)).name;
    checkStyle(input.deploymentStyle);
    const alarmConfiguration = alarmConfigOf(input.alarmConfiguration);
    const autoRollbackConfiguration = rollbackConfigOf(input.autoRollbackConfiguration);
    const key = this.state.groupKey(app, name);
    if (this.state.groups.has(key)) throw cdError('DeploymentGroupAlreadyExistsException', `The deployment group ${name} already exists in application ${app}.`);
    const g: GroupRecord = { applicationName: app, deploymentGroupId: uuid(), deploymentGroupName: name, deploymentConfigName: config, serviceRoleArn: role, alarmConfiguration, autoRollbackConfiguration };
    this.state.groups.set(key, g);
    return { deploymentGroupId: g.deploymentGroupId };
  }

  getDeploymentGroup(input: Input): Input {
    return { deploymentGroupInfo: this.info(this.find(applicationName(input), groupName(input))) };
  }

  listDeploymentGroups(input: Input): Input {
    const app = applicationName(input);
    this.applications.find(app);
    const names = [...this.state.groups.values()].filter((g) => g.applicationName === app).map((g) => g.deploymentGroupName).sort(byName);
    const p = page(names, input.nextToken);
    return { applicationName: app, deploymentGroups: p.items, ...(p.nextToken ? { nextToken: p.nextToken } : {}) };
  }

  updateDeploymentGroup(input: Input): Input {
    const app = applicationName(input);
    const current = groupName(input, 'currentDeploymentGroupName');
    const g = this.find(app, current);
    const newName = input.newDeploymentGroupName === undefined || input.newDeploymentGroupName === null ? current : groupName(input, 'newDeploymentGroupName');
    const role = checkRole(input.serviceRoleArn, false) ?? g.serviceRoleArn;
    const config = input.deploymentConfigName === undefined || input.deploymentConfigName === null ? g.deploymentConfigName : this.configs.find(String(input.deploymentConfigName)).name;
    checkStyle(input.deploymentStyle);
    const alarmConfiguration = alarmConfigOf(input.alarmConfiguration, g.alarmConfiguration);
    const autoRollbackConfiguration = rollbackConfigOf(input.autoRollbackConfiguration, g.autoRollbackConfiguration);
    if (newName !== current) {
      if (this.state.groups.has(this.state.groupKey(app, newName))) throw cdError('DeploymentGroupAlreadyExistsException', `The deployment group ${newName} already exists in application ${app}.`);
      const running = [...this.state.deployments.values()].find((d) => d.applicationName === app && d.deploymentGroupName === current && IN_FLIGHT.includes(d.status));
      if (running) throw cdError('InvalidOperationException', `The deployment group ${current} has a deployment in flight (${running.deploymentId}): it cannot be renamed until it ends.`);
    }
    const updated: GroupRecord = { ...g, deploymentGroupName: newName, serviceRoleArn: role, deploymentConfigName: config, alarmConfiguration, autoRollbackConfiguration };
    this.state.groups.delete(this.state.groupKey(app, current));
    this.state.groups.set(this.state.groupKey(app, newName), updated);
    return { hooksNotCleanedUp: [] };
  }

  deleteDeploymentGroup(input: Input): Input {
    const app = applicationName(input);
    const name = groupName(input);
    const running = [...this.state.deployments.values()].find((d) => d.applicationName === app && d.deploymentGroupName === name && IN_FLIGHT.includes(d.status));
    if (running) throw cdError('InvalidOperationException', `The deployment group ${name} has a deployment in flight (${running.deploymentId}, ${running.status}): stop it first.`);
    this.state.groups.delete(this.state.groupKey(app, name));
    return { hooksNotCleanedUp: [] };
  }
}
