/** The CodeDeploy commands' code, loaded on first use (dist/codedeployUi.js): see ../codeDeployCommandsModule.ts. */
export { pickEngine, startOnCodeDeploy } from './codeDeployStart';
export { stopCodeDeployRollout } from './codeDeployStop';
