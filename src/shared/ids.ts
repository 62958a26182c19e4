/** Every identifier the extension contributes, in one place. */

export const EXTENSION_ID = 'lambda-canary.lambda-canary';

export const VIEW_FUNCTIONS = 'lambdaCanary.functions';

export const Commands = {
  publishCanary: 'lambdaCanary.publishCanary',
  setCanaryWeight: 'lambdaCanary.setCanaryWeight',
  promoteCanary: 'lambdaCanary.promoteCanary',
  rollbackCanary: 'lambdaCanary.rollbackCanary',
  switchAlias: 'lambdaCanary.switchAlias',
  switchBack: 'lambdaCanary.switchBack',
  startCanaryOn: 'lambdaCanary.startCanaryOn',
  switchAliasToVersion: 'lambdaCanary.switchAliasToVersion',
  canaryThisVersionOn: 'lambdaCanary.canaryThisVersionOn',
  refresh: 'lambdaCanary.refresh',
  filter: 'lambdaCanary.filter',
  clearFilter: 'lambdaCanary.clearFilter',
  selectConnection: 'lambdaCanary.selectConnection',
  showLog: 'lambdaCanary.showLog',
  openFunctionConfig: 'lambdaCanary.openFunctionConfig',
  copyArn: 'lambdaCanary.copyArn',
  openTrafficPanel: 'lambdaCanary.openTrafficPanel',
  startRollout: 'lambdaCanary.startRollout',
  rollOutVersionOn: 'lambdaCanary.rollOutVersionOn',
  pauseRollout: 'lambdaCanary.pauseRollout',
  resumeRollout: 'lambdaCanary.resumeRollout',
  nextRolloutStep: 'lambdaCanary.nextRolloutStep',
  promoteRollout: 'lambdaCanary.promoteRollout',
  abortRollout: 'lambdaCanary.abortRollout',
  showRollouts: 'lambdaCanary.showRollouts',
  stopCodeDeployRollout: 'lambdaCanary.stopCodeDeployRollout',
  routeThroughAlias: 'lambdaCanary.routeThroughAlias',
  createUrlOnAlias: 'lambdaCanary.createUrlOnAlias',
  grantOnAlias: 'lambdaCanary.grantOnAlias',
  showHistory: 'lambdaCanary.showHistory',
  returnToState: 'lambdaCanary.returnToState',
  publishRelease: 'lambdaCanary.publishRelease',
  resumeRelease: 'lambdaCanary.resumeRelease',
  restoreRelease: 'lambdaCanary.restoreRelease',
  promoteRelease: 'lambdaCanary.promoteRelease',
  abortRelease: 'lambdaCanary.abortRelease',
  openRelease: 'lambdaCanary.openRelease',
  promoteReleaseToStage: 'lambdaCanary.promoteReleaseToStage',
  createRouter: 'lambdaCanary.createRouter',
  changeRouterRule: 'lambdaCanary.changeRouterRule',
  moveTriggersToRouter: 'lambdaCanary.moveTriggersToRouter',
  moveTriggersBack: 'lambdaCanary.moveTriggersBack',
  removeRouter: 'lambdaCanary.removeRouter',
} as const;

/** The release panel's webview type (also its serializer's). */
export const RELEASE_PANEL_VIEW_TYPE = 'lambdaCanary.release';

/** The traffic panel's webview type (also its serializer's). */
export const PANEL_VIEW_TYPE = 'lambdaCanary.traffic';

export const ContextValues = {
  function: 'lambdaCanary:function',
  aliasGroup: 'lambdaCanary:aliases',
  versionGroup: 'lambdaCanary:versions',
  alias: 'lambdaCanary:alias',
  aliasCanary: 'lambdaCanary:alias:canary',
  /** An alias this window's rollouts drive or can drive, by status: `…:rollout` (running), `…:rollout:paused`, `:waiting`, `:halted`. */
  aliasRollout: 'lambdaCanary:alias:rollout',
  /** An alias whose rollout another editor or the CLI drives (its lease, read-only here): no controls. */
  aliasRolloutRemote: 'lambdaCanary:alias:rollout:remote',
  /** An alias a CodeDeploy deployment is shifting (AWS steps it): Stop, with or without rollback. */
  aliasCodeDeploy: 'lambdaCanary:alias:codedeploy',
  version: 'lambdaCanary:version',
  versionLatest: 'lambdaCanary:version:latest',
  message: 'lambdaCanary:message',
  error: 'lambdaCanary:error',
  /** A function's Triggers group. */
  triggerGroup: 'lambdaCanary:triggers',
  /** A trigger without a fix to offer (through the alias, or nothing core can move). */
  trigger: 'lambdaCanary:trigger',
  /** A trigger with a fix, by its action: Route Through Alias, Create URL on Alias, Grant on Alias. */
  triggerFixRoute: 'lambdaCanary:trigger:fix-route',
  triggerFixUrl: 'lambdaCanary:trigger:fix-url',
  triggerFixGrant: 'lambdaCanary:trigger:fix-grant',
  /** The router in front of an alias (a row under the alias): Change Rule, Move Triggers, Remove. */
  router: 'lambdaCanary:router',
} as const;

/** `when`-clause context keys. */
export const ContextKeys = {
  filtered: 'lambdaCanary.filtered',
  /** The getting-started walkthrough's milestones, set when the user has done each (its steps' completionEvents). */
  walkthroughFunctionFound: 'lambdaCanary.walkthrough.functionFound',
  walkthroughPublished: 'lambdaCanary.walkthrough.published',
  walkthroughPanelOpened: 'lambdaCanary.walkthrough.panelOpened',
  walkthroughRolloutStarted: 'lambdaCanary.walkthrough.rolloutStarted',
  walkthroughRolledBack: 'lambdaCanary.walkthrough.rolledBack',
} as const;

/** The getting-started walkthrough (contributes.walkthroughs), as workbench.action.openWalkthrough names it. */
export const WALKTHROUGH_ID = 'lambdaCanary.gettingStarted';
export const WALKTHROUGH = `${EXTENSION_ID}#${WALKTHROUGH_ID}`;

export const Settings = {
  section: 'lambdaCanary',
  connection: 'connection',
  profile: 'profile',
  region: 'region',
  endpointUrl: 'endpointUrl',
  sandboxSeedDemo: 'sandbox.seedDemo',
  sandboxTraffic: 'sandbox.traffic',
  smokeTest: 'smokeTest',
  panelRefreshSeconds: 'panel.refreshSeconds',
  panelOpenAfterPublish: 'panel.openAfterPublish',
  panelProbeCount: 'panel.probeCount',
  codeDeployApplication: 'codeDeploy.application',
  codeDeployDeploymentGroup: 'codeDeploy.deploymentGroup',
  codeDeployServiceRoleArn: 'codeDeploy.serviceRoleArn',
  codeDeployBeforeAllowTrafficHook: 'codeDeploy.beforeAllowTrafficHook',
  codeDeployAfterAllowTrafficHook: 'codeDeploy.afterAllowTrafficHook',
  sandboxCodeDeployMinuteMs: 'sandbox.codeDeployMinuteMs',
  historyCloudTrail: 'history.cloudTrail',
  historySince: 'history.since',
} as const;
