/**
 * The sandbox's CodeDeploy records on disk, beside the Lambda state (`codedeploy.json` in the
 * state directory): applications, groups, custom configs and deployments, rewritten whole after
 * each change (atomically, as the Lambda records are). A record that does not read is set aside
 * with a warning, and the sandbox starts without CodeDeploy records.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { atomicWrite } from '../store';
import type { ApplicationRecord, CodeDeployState, ConfigRecord, DeploymentRecord, GroupRecord } from './state';

export const STATE_FILE = 'codedeploy.json';

interface Saved {
  version: 1;
  applications: ApplicationRecord[];
  groups: GroupRecord[];
  configs: ConfigRecord[];
  deployments: DeploymentRecord[];
}

export class CodeDeployFile {
  readonly warnings: string[] = [];
  private readonly file: string;

  constructor(dir: string) {
    this.file = path.join(dir, STATE_FILE);
  }

  /** Fills `state` from the file, if there is one. */
  load(state: CodeDeployState): void {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch {
      return;
    }
    try {
      const saved = JSON.parse(text) as Saved;
      if (saved?.version !== 1 || ![saved.applications, saved.groups, saved.configs, saved.deployments].every(Array.isArray)) throw new Error('not a version 1 record of applications, groups, configs and deployments');
      for (const a of saved.applications) state.applications.set(a.applicationName, a);
      for (const g of saved.groups) state.groups.set(state.groupKey(g.applicationName, g.deploymentGroupName), g);
      for (const c of saved.configs) state.configs.set(c.name, c);
      for (const d of saved.deployments) {
        if (typeof d?.deploymentId !== 'string' || !Array.isArray(d.lifecycleEvents) || !Array.isArray(d.pastHooks)) throw new Error('a deployment record is incomplete');
        state.deployments.set(d.deploymentId, d);
      }
    } catch (e) {
      for (const m of [state.applications, state.groups, state.configs, state.deployments]) m.clear();
      const aside = `${STATE_FILE}.damaged-${Date.now()}`;
      fs.renameSync(this.file, path.join(path.dirname(this.file), aside));
      this.warnings.push(`The CodeDeploy record ${STATE_FILE} is damaged (${(e as Error).message}): it was renamed to ${aside} and the sandbox starts with no CodeDeploy applications or deployments. Repair or delete that file.`);
    }
  }

  save(state: CodeDeployState): void {
    const saved: Saved = {
      version: 1,
      applications: [...state.applications.values()],
      groups: [...state.groups.values()],
      configs: [...state.configs.values()],
      deployments: [...state.deployments.values()],
    };
    atomicWrite(this.file, JSON.stringify(saved));
  }
}
