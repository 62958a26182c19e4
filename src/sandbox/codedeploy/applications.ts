/** Create/Get/List/DeleteApplication and BatchGetApplications, for computePlatform Lambda. */
import type { ApplicationRecord, CodeDeployState } from './state';
import { IN_FLIGHT } from './state';
import type { Input } from './shared';
import { byName, cdError, nameOf, page, seconds, stringList, uuid } from './shared';

export const applicationName = (input: Input, member = 'applicationName'): string =>
  nameOf(input, member, 'ApplicationNameRequiredException', 'InvalidApplicationNameException', 'application');

export function applicationInfo(a: ApplicationRecord): Input {
  return { applicationId: a.applicationId, applicationName: a.applicationName, createTime: seconds(a.createTime), linkedToGitHub: false, computePlatform: 'Lambda' };
}

export class ApplicationsApi {
  constructor(private readonly state: CodeDeployState) {}

  find(name: string): ApplicationRecord {
    const a = this.state.applications.get(name);
    if (!a) throw cdError('ApplicationDoesNotExistException', `No application found for name: ${name}`);
    return a;
  }

  createApplication(input: Input): Input {
    const name = applicationName(input);
    if (input.computePlatform !== 'Lambda') {
      throw cdError('InvalidComputePlatformException', `The sandbox's CodeDeploy serves Lambda deployments only: computePlatform must be Lambda (got ${JSON.stringify(input.computePlatform ?? 'Server')}).`);
    }
    if (this.state.applications.has(name)) throw cdError('ApplicationAlreadyExistsException', `The application ${name} already exists.`);
    const a: ApplicationRecord = { applicationId: uuid(), applicationName: name, createTime: this.state.now() };
    this.state.applications.set(name, a);
    return { applicationId: a.applicationId };
  }

  getApplication(input: Input): Input {
    return { application: applicationInfo(this.find(applicationName(input))) };
  }

  batchGetApplications(input: Input): Input {
    const names = stringList(input.applicationNames, 'applicationNames', 'InvalidApplicationNameException');
    if (input.applicationNames === undefined) throw cdError('ApplicationNameRequiredException', 'applicationNames is required.');
    if (names.length > 100) throw cdError('BatchLimitExceededException', `At most 100 applications per call; got ${names.length}.`);
    for (const n of names) applicationName({ applicationNames: n }, 'applicationNames');
    return { applicationsInfo: names.map((n) => applicationInfo(this.find(n))) };
  }

  listApplications(input: Input): Input {
    const p = page([...this.state.applications.keys()].sort(byName), input.nextToken);
    return { applications: p.items, ...(p.nextToken ? { nextToken: p.nextToken } : {}) };
  }

  deleteApplication(input: Input): Input {
    const name = applicationName(input);
    if (!this.state.applications.has(name)) return {};
    const running = [...this.state.deployments.values()].find((d) => d.applicationName === name && IN_FLIGHT.includes(d.status));
    if (running) throw cdError('InvalidOperationException', `The application ${name} has a deployment in flight (${running.deploymentId}, ${running.status}): stop it first.`);
    this.state.applications.delete(name);
    for (const [k, g] of this.state.groups) if (g.applicationName === name) this.state.groups.delete(k);
    return {};
  }
}
