/**
 * Every user-facing string of the `lambda-canary` CLI (help, questions, refusals, errors of its
 * own), so that they can be localised in one place. What an action did comes from core
 * (src/core/outcomeText.ts), as in the editor.
 */
import { imageFunctionNeedsUri } from '../core/imageUri';
import { describePlan, PRESET_NAMES, presetPlan } from '../core/rollout/plans';
import type { CommandName, RolloutSubcommand } from './commands';


/** Names for a message: all of a few, the first 12 of many (a folder of many projects declares hundreds). */
function listSome(names: string[]): string {
  const unique = [...new Set(names)];
  return unique.length <= 12 ? unique.join(', ') : `${unique.slice(0, 12).join(', ')} and ${unique.length - 12} more`;
}
export const EXIT_CODES_TEXT = `Exit codes:
  0  done, or nothing to do
  1  failed, the alias unchanged (an AWS or network error, Ctrl+C, a question answered no)
  2  bad input, nothing changed: a usage error, a change without --yes where nothing can
     ask, or the action refused before any write (no canary to promote, a weight out of
     range, nothing to switch back to, a pre-flight blocker such as versions with
     different execution roles)
  3  conflict: the alias changed meanwhile (someone else wrote it); nothing changed —
     look at it again (lambda-canary show FN) and retry
  4  outcome unknown: a write got no clear answer and could not be read back; check the
     alias (lambda-canary show FN) before doing anything else`;

const CONNECTION_TEXT = `Connection (as the AWS CLI's):
  --profile NAME        AWS profile (default: AWS_PROFILE, then the default credential chain)
  --region REGION       AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's
                        region, then us-east-1)
  --endpoint-url URL    another endpoint for Lambda and CloudWatch (LocalStack, the sandbox of
                        \`npm run sandbox\`; default: AWS_ENDPOINT_URL); a loopback endpoint
                        without --profile signs with AWS_ACCESS_KEY_ID (or any key)
  --sandbox             start the embedded sandbox in this process with the demo functions
                        (checkout-api, …) and stop it at exit: nothing reaches AWS`;

const OUTPUT_TEXT = `Output:
  --json                print the outcome (list, show, journal, rollout status: the data) as
                        JSON on stdout
  -y, --yes             do not ask before changing an alias (required when stdin or stderr
                        is not a terminal, e.g. in CI)
  --journal-dir DIR     the deployment journal's folder (default: LAMBDA_CANARY_JOURNAL_DIR,
                        else lambda-canary/journal in your config folder; with --sandbox,
                        its sandbox/ subfolder)
  --verbose             log every step on stderr
  -h, --help            this help`;

export function topHelp(version: string): string {
  return `lambda-canary ${version}: canary and blue/green deploys of AWS Lambda functions.

Usage: lambda-canary COMMAND [ARGS] [OPTIONS]

Commands:
  list                              functions of the account and region
  show FN                           a function: its aliases (routing) and versions
  deploy [--dir D] [--weight W]     package the folder's function (lambda-canary.json or
                                    template.yaml), publish a version, route W% of the alias to it
  deploy --image-uri URI            the same for an image function, with an image pushed to ECR
  canary FN:ALIAS --version V --weight W
                                    route W% of ALIAS to published version V (no upload)
  weight FN:ALIAS W                 change the canary's weight to W%
  promote FN:ALIAS                  send all traffic to the canary version
  rollback FN:ALIAS                 send all traffic back to the stable version
  switch FN:ALIAS V                 point ALIAS at version V, all traffic at once (blue/green)
  switch-back FN:ALIAS              undo the alias's last switch or promotion (from the journal)
  probe FN:ALIAS [-n N]             invoke the alias N times, count answers per version
  traffic FN:ALIAS [--window 15m]   invocations, errors and latency per version (CloudWatch)
  journal [FN[:ALIAS]] [--limit N]  what was done, newest last
  history FN:ALIAS [--since 7d] [--csv]
                                    who changed the alias, when and how, from the journal and
                                    CloudTrail; \`history return FN:ALIAS ID\` restores a state
  triggers FN[:ALIAS] [--fix ID]    what sends events to the function, and whether it goes
                                    through ALIAS or bypasses it; --fix moves one onto ALIAS
  rollout start|status|pause|resume|next|promote|abort|stop FN:ALIAS
                                    step ALIAS through a plan judged on CloudWatch evidence,
                                    rolled back by itself when the canary is worse; or hand
                                    it to AWS CodeDeploy (--engine codedeploy)
  release start|status|resume|restore|promote|abort|promote-stage [ID|STAGE]
                                    publish the folder's functions, then move all their aliases
                                    together through one plan; restore them all on a failure
  help [COMMAND]                    help on a command

Progress goes to stderr, results to stdout. Run \`lambda-canary COMMAND --help\` for a command's
options and examples.

${CONNECTION_TEXT}

${OUTPUT_TEXT}

${EXIT_CODES_TEXT}

Examples:
  lambda-canary --sandbox list
  lambda-canary deploy --weight 10 --yes
  lambda-canary promote checkout-api:prod --yes --profile prod --region eu-west-1
`;
}

interface CommandHelp {
  usage: string;
  description: string;
  /** The command's own options, one line (or more) each. */
  options?: string;
  examples: string;
}

/** Said in the help of every command that runs the pre-flight. */
const PREFLIGHT_TEXT = `Before the alias changes, a pre-flight reads the function: triggers that bypass the alias
(the canary would see only part of the traffic; \`lambda-canary triggers FN:ALIAS\`), and what
makes Lambda refuse or misroute a weighted alias (versions with different execution roles or
dead-letter configs, provisioned concurrency on the alias, a version not yet Active). Each
finding is a line on stderr with its fix; on a terminal they come with the question. A warning
lets the command go on (with --yes too); a blocker refuses it (exit 2, nothing changed).
--json adds the report as "preflight".`;

const PLAN_TEXT = `Plans (--plan P):
  a preset (CodeDeploy's Lambda configurations, also with its Lambda prefix):
${PRESET_NAMES.map((n) => `    ${n.padEnd(30)} ${describePlan(presetPlan(n)!)}`).join('\n')}
  or steps, comma-separated, each WEIGHT%[@BAKE][ manual]:
    "10%@5m, 50%@10m manual, 100%"   10 % for 5 min, 50 % for 10 min then wait for
                                     \`rollout next\` or \`rollout promote\`, then 100 %
    "5%@10m, 25%@10m"                100 % is added at the end unless the plan ends in hold
    "10%@1h, hold"                   stay at 10 % after the bake (no promotion)
  BAKE: 30s, 5m, 2h, 1h30m. Each step is judged on the canary's errors against the stable
  version's; a worse canary is rolled back at once, a step that passes goes on (or waits, if
  manual). Without --plan: the "rollout" of the workspace function's lambda-canary.json.`;

const ROLLOUT_EXIT_CODES_TEXT = `Exit codes:
  0  done: the action done; with --wait, promoted (or completed: a plan ending in hold kept
     its split)
  1  rolled back (the canary was worse), aborted, or failed with the alias unchanged; a
     CodeDeploy rollout watched with --wait: Stopped or Failed (rolled back or not)
  2  bad input, nothing changed: a usage error (a bad plan says the column), a change
     without --yes where nothing can ask, or refused before any write (a rollout already
     runs on the alias, no published version)
  3  needs a person: the rollout is held (a manual gate passed and waits for \`rollout next\`
     or \`rollout promote\`; halted because someone else changed the alias, a verdict is
     marginal, or reads keep failing) and this command stopped driving it; or a conflict:
     the rollout is driven by another process (\`rollout status\` says who and until when)
  4  outcome unknown: a write got no clear answer and could not be read back; check the
     alias (lambda-canary show FN) before doing anything else
  130  interrupted (Ctrl+C) while driving: the rollout goes on without a driver;
       \`lambda-canary rollout resume FN:ALIAS --wait\` drives it again`;

const ROLLOUT_DRIVING = `Without --wait a subcommand does its one action and exits: nothing drives the rollout then
(its lease on the alias is let go), and \`rollout status\` says so. With --wait this process
drives it to its end, printing each step and each verdict on stderr and the end on stdout; it
stops when the rollout needs a person (exit 3). One driver per alias: while a process drives,
others (the editor too) watch, and their controls are refused (exit 3).`;

const CODEDEPLOY_TEXT = `With --engine codedeploy the rollout is handed to AWS CodeDeploy, which steps ALIAS by itself
(with the editor closed, alarms and rollback on AWS's side): the application and deployment
group are reused or created (a new group needs --service-role; Lambda Canary never creates IAM
roles), a custom plan becomes a custom deployment config named after its shape, and a plan
CodeDeploy cannot express (manual gates, bakes not in whole minutes, other shapes) is refused
with the reason. \`rollout status\` shows it, \`rollout stop [--rollback]\` stops it. While it runs,
every write of Lambda Canary to ALIAS is refused.`;

const ROLLOUT_HELP: Record<RolloutSubcommand, CommandHelp> = {
  start: {
    usage: 'lambda-canary rollout start FN:ALIAS (--version V | --dir D [--function F] [--build]) [--plan P] [--engine local|codedeploy] [--wait]',
    description: `Starts a rollout of version V on ALIAS: the first step's weight is routed to V, then each step
bakes and is judged before the next. With --dir, the folder's function is deployed first
(as \`deploy\` does it: package, publish, check, smoke test) with the first step's weight, and the
rollout takes that canary over as its first step. A plan that starts at 100 % cannot be
rolled out from a deploy: use \`deploy\` and \`switch\`.

${PREFLIGHT_TEXT}

${ROLLOUT_DRIVING}

${CODEDEPLOY_TEXT}

${PLAN_TEXT}`,
    options: `  --version V           the published version to roll out
  --dir D               deploy the folder's function (lambda-canary.json or template.yaml) first
  --function F          which function of the folder: its FunctionName or logical id
  --build               run \`sam build\` for the function first (a SAM function)
  --plan P              a preset or steps (see Plans); default: the workspace's "rollout"
  --wait                drive the rollout to its end here (exit codes below); with
                        --engine codedeploy: watch it to its end, printing each change
  --engine E            local (default: this process steps the alias) or codedeploy
                        (AWS CodeDeploy steps it, with the editor closed; --version only)
  --application A       codedeploy: the CodeDeploy application (default lambda-canary)
  --deployment-group G  codedeploy: the deployment group (default FUNCTION-ALIAS)
  --service-role ARN    codedeploy: the service role a new deployment group is created with
                        (it needs the managed policy AWSCodeDeployRoleForLambda)
  --before-traffic-hook FN, --after-traffic-hook FN
                        codedeploy: the AppSpec's BeforeAllowTraffic / AfterAllowTraffic hooks`,
    examples: `  lambda-canary rollout start checkout-api:prod --version 8 --plan Canary10Percent5Minutes --wait --yes
  lambda-canary rollout start checkout-api:prod --version 8 --plan Canary10Percent5Minutes --engine codedeploy --service-role arn:aws:iam::123456789012:role/CodeDeployLambda --yes
  lambda-canary rollout start checkout-api:prod --dir . --plan "10%@5m, 50%@10m, 100%" --wait --yes
  lambda-canary rollout start checkout-api:prod --version 8 --plan "10%@5m, 100%" --yes --json`,
  },
  status: {
    usage: 'lambda-canary rollout status [FN:ALIAS]',
    description: `Shows the rollout of ALIAS (its active one, else its latest), or of every alias this journal
knows on the connection: the plan, each step with its verdict and numbers, the step in force
and its bake left, and who drives it ("driven by … since …", from the lease on the alias), or
that nothing does and how to drive it. Reads only; --json prints the rollout(s) as data.`,
    examples: `  lambda-canary rollout status checkout-api:prod
  lambda-canary rollout status --json | jq '.[] | {alias: .aliasName, status}'`,
  },
  pause: {
    usage: 'lambda-canary rollout pause FN:ALIAS',
    description: `Pauses the rollout: the weight stays where it is, no step goes on, but the canary is still
judged and a failing one is still rolled back by its driver. Not asked about.

${ROLLOUT_DRIVING}`,
    examples: '  lambda-canary rollout pause checkout-api:prod',
  },
  resume: {
    usage: 'lambda-canary rollout resume FN:ALIAS [--wait]',
    description: `Resumes a paused or held rollout (a held step's bake starts again), or, with --wait, takes up
a rollout nobody drives and drives it to its end. Not asked about.

${ROLLOUT_DRIVING}`,
    options: '  --wait                drive the rollout to its end here',
    examples: `  lambda-canary rollout resume checkout-api:prod --wait
  lambda-canary rollout resume checkout-api:prod`,
  },
  next: {
    usage: 'lambda-canary rollout next FN:ALIAS [--wait]',
    description: `Goes on to the next step now (past a manual gate, or before the bake ends); after the last
step, promotes.

${ROLLOUT_DRIVING}`,
    options: '  --wait                then drive the rollout to its end here',
    examples: '  lambda-canary rollout next checkout-api:prod --yes --wait',
  },
  promote: {
    usage: 'lambda-canary rollout promote FN:ALIAS',
    description: "Ends the rollout now by promoting: all of ALIAS's traffic to the new version.",
    examples: '  lambda-canary rollout promote checkout-api:prod --yes',
  },
  abort: {
    usage: 'lambda-canary rollout abort FN:ALIAS',
    description: "Ends the rollout now by rolling back: all of ALIAS's traffic to the stable version.",
    examples: '  lambda-canary rollout abort checkout-api:prod --yes',
  },
  stop: {
    usage: 'lambda-canary rollout stop FN:ALIAS [--rollback]',
    description: `Stops the CodeDeploy deployment in flight on ALIAS (one this journal started, or SAM's):
StopDeployment, with --rollback putting ALIAS back on the version it served; without it the
alias keeps the weight CodeDeploy had shifted. Asks first.`,
    options: '  --rollback            roll ALIAS back to the version it served (autoRollbackEnabled)',
    examples: `  lambda-canary rollout stop checkout-api:prod --rollback --yes
  lambda-canary rollout stop checkout-api:prod --yes --json`,
  },
};

const TRIGGERS_EXIT_CODES_TEXT = `Exit codes:
  0  the audit read every source (whatever it found: a trigger that bypasses the alias is a
     finding, not a failure; \`--json | jq -e\` gates on it), or --fix done
  1  failed: a source could not be read (the audit is incomplete: each is a warning on
     stderr with the IAM action to grant), an AWS or network error, a question answered no
  2  bad input, nothing changed: a usage error, no such function or alias, no trigger with
     that id (asked on a terminal), a trigger with nothing to fix, --fix without --yes
     where nothing can ask
  3  conflict, nothing changed: the trigger changed or is gone since it was read (with --yes:
     no trigger with that id), or is being updated (a mapping Creating, Updating…) — run
     \`triggers\` again and retry
  4  outcome unknown: a write got no clear answer and could not be read back; run
     \`triggers\` again before doing anything else`;

const HELP: Record<CommandName, CommandHelp> = {
  list: {
    usage: 'lambda-canary list',
    description: 'Lists the Lambda functions of the account and region: name, runtime, last modified, description.',
    examples: `  lambda-canary list --region eu-west-1
  lambda-canary list --json | jq -r '.[].name'`,
  },
  show: {
    usage: 'lambda-canary show FN',
    description: "Shows function FN: its aliases with their routing (and RevisionId), and its versions, newest first.",
    examples: `  lambda-canary show checkout-api
  lambda-canary show checkout-api --json | jq '.aliases'`,
  },
  deploy: {
    usage: 'lambda-canary deploy [--dir D] [--weight W] [--alias A] [--function F] [--function-name NAME] [--image-uri URI] [--no-smoke] [--build]',
    description: `Deploys the function of folder D as a canary: runs its build command, packages its code
folder, uploads it unless the deployed code is already this package, publishes a version,
checks the published code is the package's, invokes the new version with the test event
(lambda-canary.json "testEvent"), then routes W% of the alias to it. The folder's
lambda-canary.json is read, or else its SAM template.yaml, as the extension reads them. A
terminal is trusted: the build command and the smoke test run.

${PREFLIGHT_TEXT}

An image function (PackageType Image) is deployed with --image-uri: the image you built and
pushed to ECR (nothing is built here). Its $LATEST is updated to that image unless it already
runs its digest, a version is published and checked to hold the image's digest, then it is
smoke-tested and routed as a zip's. With --function-name the folder is not read (unless --dir or
--function names the workspace function whose alias and test event to use).

A SAM function whose sources are not what Lambda runs (Metadata.BuildMethod, a TypeScript
handler, a Java or .NET project, packages only \`sam build\` installs) is deployed from
.aws-sam/build/<LogicalId> beside its root template (a nested stack's function under its stack
path) when that is newer than its sources and the template; when it is older or missing,
deploy stops and says which \`sam build\` to run, or, with --build, runs \`sam build <Id>\` itself
first, into .aws-sam/lambda-canary/<Id>/build so that the other functions' output in
.aws-sam/build stays. Imports of a Node.js handler that no node_modules of the package holds,
and requirements.txt packages that a Python package imports but does not vendor, are warned
about (a function lacking only those is deployed from its sources).`,
    options: `  --dir D               the folder holding lambda-canary.json or template.yaml (default: .)
  --weight W            the canary's share of the alias, in percent (default 10)
  --alias A             the alias (default: lambda-canary.json's "alias", else prod; a SAM
                        function's AutoPublishAlias; needed when the template declares none)
  --function F          which function of a template with several: its FunctionName or logical id
  --function-name NAME  the deployed function's name, for a template function whose name is
                        computed (no FunctionName, or one made with !Sub / !Ref)
  --image-uri URI       deploy this ECR image to an image function, e.g.
                        123456789012.dkr.ecr.eu-west-1.amazonaws.com/repo:tag (or @sha256:…)
  --no-smoke            do not invoke the new version before it gets traffic
  --build               run \`sam build <Id>\` in the root template's folder first (a SAM
                        function), into .aws-sam/lambda-canary/<Id>/build (.aws-sam/build
                        is left as it is), and deploy that output`,
    examples: `  lambda-canary deploy --weight 10 --yes
  lambda-canary deploy --dir services/checkout --alias staging --weight 50 --yes
  lambda-canary deploy --function CheckoutFunction --weight 5 --json --yes
  lambda-canary deploy --function-name checkout-img --alias prod --weight 10 --yes \
    --image-uri 123456789012.dkr.ecr.eu-west-1.amazonaws.com/checkout:1.4.0
  lambda-canary deploy --dir services/api --function-name api-hello --build --yes`,
  },
  canary: {
    usage: 'lambda-canary canary FN:ALIAS --version V --weight W',
    description: `Routes W% of ALIAS to the already published version V (nothing is uploaded): e.g. the version
staging runs, canaried on prod.

${PREFLIGHT_TEXT}`,
    options: `  --version V           the published version to canary (a number)
  --weight W            its share of the alias, in percent (more than 0, less than 100)`,
    examples: `  lambda-canary canary checkout-api:prod --version 8 --weight 10 --yes
  lambda-canary canary checkout-api:prod --version "$(lambda-canary show checkout-api --json | jq -r '.aliases[] | select(.name=="staging") | .version')" --weight 5 --yes`,
  },
  weight: {
    usage: 'lambda-canary weight FN:ALIAS W',
    description: "Changes the weight of ALIAS's running canary to W%.",
    examples: '  lambda-canary weight checkout-api:prod 50 --yes',
  },
  promote: {
    usage: 'lambda-canary promote FN:ALIAS [--version V]',
    description: 'Sends all of ALIAS\'s traffic to its canary version. The previous version is kept: `switch-back` returns to it.',
    options: `  --version V           only if the canary is version V (e.g. the one this CI job deployed);
                        another canary is left alone (exit 3)`,
    examples: `  lambda-canary promote checkout-api:prod --yes
  lambda-canary promote checkout-api:prod --version 8 --yes`,
  },
  rollback: {
    usage: 'lambda-canary rollback FN:ALIAS [--version V]',
    description: "Sends all of ALIAS's traffic back to its stable version; the canary version gets none.",
    options: `  --version V           only if the canary is version V; another canary is left alone (exit 3)`,
    examples: `  lambda-canary rollback checkout-api:prod --yes
  lambda-canary rollback checkout-api:prod --version 8 --yes`,
  },
  switch: {
    usage: 'lambda-canary switch FN:ALIAS V',
    description: 'Blue/green: points ALIAS at published version V, all of its traffic at once (a running canary ends).',
    examples: '  lambda-canary switch checkout-api:prod 7 --yes',
  },
  'switch-back': {
    usage: 'lambda-canary switch-back FN:ALIAS',
    description: `Undoes the last switch, promotion or switch back of ALIAS, as the deployment journal recorded
it (from this or an earlier run, the editor's too when they share the journal). Refused when
the alias has moved on since.`,
    examples: '  lambda-canary switch-back checkout-api:prod --yes',
  },
  probe: {
    usage: 'lambda-canary probe FN:ALIAS [-n N]',
    description: 'Invokes ALIAS N times (paced) and counts which version answered each invocation, and which failed.',
    options: '  -n, --count N         how many invocations, 1 to 10,000 (default 100)',
    examples: `  lambda-canary probe checkout-api:prod -n 200
  lambda-canary probe checkout-api:prod --json | jq '.detail.byVersion'`,
  },
  traffic: {
    usage: 'lambda-canary traffic FN:ALIAS [--window 15m]',
    description: `Reads CloudWatch for ALIAS's versions over the window: invocations, share, errors, p99 latency,
and the canary's verdict against the stable version.`,
    options: '  --window W            how far back: minutes (15, 15m) or hours (1h), 1 minute to 24 hours (default 15m)',
    examples: `  lambda-canary traffic checkout-api:prod --window 1h
  lambda-canary traffic checkout-api:prod --json | jq '.detail.verdict'`,
  },
  rollout: {
    usage: 'lambda-canary rollout SUBCOMMAND [FN:ALIAS] [--version V | --dir D] [--plan P] [--wait]',
    description: `Rollouts: ALIAS's traffic moved to a new version in steps, each baked and judged on CloudWatch
evidence (the canary's errors against the stable version's), rolled back by itself when the
canary is worse. The same rollouts as the editor's Start Rollout, in the same journal.

Subcommands (\`lambda-canary rollout SUBCOMMAND --help\` for each):
  start FN:ALIAS (--version V | --dir D) [--plan P] [--wait]
                        start one (asks first; --yes in CI)
  status [FN:ALIAS]     the plan, steps, verdicts, bake left, who drives it (reads only)
  pause FN:ALIAS        hold the weight; a failing canary is still rolled back
  resume FN:ALIAS [--wait]
                        go on after a pause or a hold; --wait: drive it here
  next FN:ALIAS [--wait]
                        the next step now (past a manual gate); asks first
  promote FN:ALIAS      end it now: all traffic to the new version; asks first
  abort FN:ALIAS        end it now: all traffic back to the stable version; asks first
  stop FN:ALIAS [--rollback]
                        stop the CodeDeploy deployment on ALIAS; asks first

${ROLLOUT_DRIVING}

${CODEDEPLOY_TEXT}

${PLAN_TEXT}`,
    options: `  --version V           start: the published version to roll out
  --dir D               start: deploy the folder's function first, then roll it out
  --function F          start --dir: which function of the folder
  --build               start --dir: run \`sam build\` for the function first
  --plan P              start: a preset or steps (see Plans)
  --wait                start, resume, next: drive the rollout to its end here
  --engine codedeploy   start: hand the rollout to AWS CodeDeploy (--application,
                        --deployment-group, --service-role, --before-traffic-hook,
                        --after-traffic-hook)
  --rollback            stop: roll the alias back to the version it served`,
    examples: `  lambda-canary rollout start checkout-api:prod --version 8 --plan "10%@5m, 50%@10m, 100%" --wait --yes
  lambda-canary rollout status checkout-api:prod
  lambda-canary rollout abort checkout-api:prod --yes`,
  },
  triggers: {
    usage: 'lambda-canary triggers FN[:ALIAS] [--fix ID | --undo]',
    description: `Audits what sends events to function FN, and whether each goes through ALIAS (the canary's
router) or bypasses it: event source mappings (SQS, Kinesis, DynamoDB streams, MSK…), function
URLs, resource-based policy statements (API Gateway, S3, SNS, EventBridge… with their source)
and asynchronous invoke configurations. A trigger that calls $LATEST, the unqualified function
or a fixed version bypasses the alias: a canary on it sees only part of the traffic, and a
rollback does not protect those callers. Without ALIAS each trigger is judged against every
alias. One row per trigger: its id, what sends the events, what it calls, the verdict (✓
through, ⚠ bypasses); below, for each that bypasses, its source, notes and the command that
fixes it. Reads only; what could not be read is a warning on stderr (exit 1).

Callers authorised by IAM identity policies (Step Functions, AppSync, other functions…) leave
no trace in the function's policy: the audit cannot see them.

With --fix ID (and FN:ALIAS) the trigger is moved onto ALIAS, asked first on a terminal (--yes
elsewhere), checked against what was read, and journalled: a mapping is updated in place to
call the alias (it keeps its position in the queue or stream), a function URL is created on the
alias (a new URL: callers must switch to it), a permission is granted on the alias. What you
still have to do (point an S3 notification at the alias ARN…) is printed after. With --undo
(and FN:ALIAS) the alias's last fix, as the journal recorded it, is undone: a mapping moved back,
the URL or permission the fix created removed (refused when the trigger changed since).

IAM: the audit needs lambda:ListAliases, ListEventSourceMappings, ListFunctionUrlConfigs,
GetPolicy and ListFunctionEventInvokeConfigs; --fix also GetEventSourceMapping and
UpdateEventSourceMapping (a mapping), GetFunctionUrlConfig and CreateFunctionUrlConfig (a URL),
AddPermission (a permission, and a public URL's); --undo UpdateEventSourceMapping,
DeleteFunctionUrlConfig or RemovePermission.`,
    options: `  --fix ID              move trigger ID (as the table lists it: esm:UUID, url:QUALIFIER,
                        policy:QUALIFIER:SID) onto ALIAS; needs FN:ALIAS
  --undo                undo ALIAS's last trigger fix from the journal; needs FN:ALIAS`,
    examples: `  lambda-canary triggers checkout-api:prod
  lambda-canary triggers checkout-api --json | jq '.detail.triggers[] | select(.verdict == "bypasses") | .id'
  lambda-canary triggers checkout-api:prod --json | jq -e '[.detail.triggers[] | select(.verdict == "bypasses")] | length == 0'
  lambda-canary triggers checkout-api:prod --fix esm:6f1c2b9e-0d7a-4c1e-9b8f-2a5d3e4f6a7b --yes
  lambda-canary triggers checkout-api:prod --undo --yes`,
  },
  release: {
    usage: 'lambda-canary release start [--dir D] [--stage STAGE] [--plan PLAN] [--only FN,FN] [--no-smoke] [--yes]\n       lambda-canary release status [ID] [--stage STAGE]\n       lambda-canary release resume ID [--dir D] [--stage STAGE]\n       lambda-canary release restore|promote|abort ID [--stage STAGE] [--yes]\n       lambda-canary release promote-stage [STAGE] [--dir D] [--plan PLAN] [--yes]',
    description: `A release moves several functions together. \`start\` reads the folder's functions (the
\`functions\` of lambda-canary.json, or the named functions of a SAM template), reads every alias
and refuses, before anything is written, an alias that runs a canary, points to $LATEST or is in
a rollout or another release. Then it builds, packages, uploads and publishes each function
(several at once; a function whose code its alias already serves takes no part), checks each
version's CodeSha256 and smoke-tests it with its test event, and only then moves all the aliases
through the plan in lockstep, judged together on CloudWatch: one function's Fail rolls every
function back, and the last step promotes them all.

Nothing is lost part way: a failed build, upload or publish routes nothing; a write that fails
during a step returns every alias already moved to where it was; an alias someone else changed
meanwhile is never overwritten (it is left, named, and the release holds for a person). Every step
is in the journal: a release whose process ended (Ctrl-C, a closed laptop) shows as interrupted
in \`release status\`, and \`resume\` goes on or \`restore\` puts every alias back.

Requests stay under Lambda's control-plane rate: a few in flight at once, and the SDK's adaptive
retries slow down when Lambda throttles.

Stages: when lambda-canary.json lists "stages" (e.g. staging on the dev account, prod on the
prod account), \`start\` goes to the first stage, or the one --stage names: every function on
the stage's alias, on the stage's profile and region. \`promote-stage\` ships to the next stage
(or STAGE) exactly the packages the newest release to the stage before it uploaded — the same
bytes, the same CodeSha256, uploaded to the other account when its $LATEST lacks them, never
rebuilt — and moves that stage's aliases through the plan, judged, rolled back on Fail. It
refuses when that release did not end promoted, or a package is missing or corrupt in the
journal's artifacts folder: nothing is written then. The other subcommands take --stage to act
on a stage's releases (its connection).

\`start\`, \`resume\` and \`promote-stage\` run until the release ends or needs a person (exit 0
promoted, 1 rolled back or failed, 2 refused, 3 held: a manual gate, a teammate's write, a
verdict that asks).`,
    options: `  --dir D        the folder whose functions are released (default .)
  --plan PLAN    the steps, as \`rollout start --plan\` takes them (default: "rollout" of
                 lambda-canary.json)
  --only FN,FN   some of the folder's functions
  --no-smoke     no smoke test of the new versions
  --stage STAGE  the stage of lambda-canary.json (default: the first)`,
    examples: `  lambda-canary release start --plan '10%@5m, 50%@10m, 100%' --yes
  lambda-canary release start --stage staging --yes
  lambda-canary release promote-stage prod --yes
  lambda-canary release status
  lambda-canary release resume 3f2a9c1e
  lambda-canary release restore 3f2a9c1e --yes`,
  },
  history: {
    usage: 'lambda-canary history FN:ALIAS [--since 7d|24h|30m|ISO] [--until …] [--json|--csv] [--cloudtrail-pages N] [--no-cloudtrail]\n       lambda-canary history return FN:ALIAS ENTRY-ID [--yes]',
    description: `Shows what happened to ALIAS, newest first: each change with its time (local time), who made
it and with what client, what changed (routing before → after, versions published with their
CodeSha256 and description) and how it ended (a rollout with each step's verdict and numbers).
Two sources, merged so that one write shows once: the deployment journal (what Lambda Canary did
from this machine, the editor's too when they share the journal) and AWS CloudTrail's Lambda
events (everyone's writes: a teammate in the console, a CI pipeline with the AWS CLI, CodeDeploy,
CloudFormation, Terraform…, with the caller's ARN and user agent). CloudTrail shows a write about
5 minutes after it is made: newer changes come from the journal alone. CloudTrail is read with
cloudtrail:LookupEvents (50 events a page, at most 2 requests a second, --cloudtrail-pages pages);
without that permission the history is the journal's alone, and a line says so.

\`history return FN:ALIAS ENTRY-ID\` returns ALIAS to the routing an entry left (weights included):
ENTRY-ID as the list shows it (or its first 8 characters or more). It is a guarded write, asked
first on a terminal (--yes elsewhere), journalled (\`switch-back\` undoes it); it is refused when a
version the state needs was deleted, when the state routes to $LATEST, or while a rollout or a
CodeDeploy deployment drives the alias.`,
    options: `  --since W             from when: 7d, 24h, 30m, 90s, 2w before now, or an ISO date/time
                        (default 7d)
  --until W             until when, as --since (default now)
  --csv                 the entries as CSV (RFC 4180, a header row; cells a spreadsheet would
                        run as formulas start with ')
  --cloudtrail-pages N  read at most N pages of CloudTrail events (default 20)
  --no-cloudtrail       the journal alone`,
    examples: `  lambda-canary history checkout-api:prod
  lambda-canary history checkout-api:prod --since 30d --csv > prod-history.csv
  lambda-canary history checkout-api:prod --json | jq '.entries[] | select(.source == "cloudtrail") | .who'
  lambda-canary history return checkout-api:prod 3f2a9c1e --yes`,
  },
  journal: {
    usage: 'lambda-canary journal [FN[:ALIAS]] [--limit N]',
    description: `Lists the deployment journal's records, newest last: every action's outcome, done or not, of
this CLI and of the editor when they share the journal folder.`,
    options: '  --limit N             the newest N records (default 20)',
    examples: `  lambda-canary journal checkout-api:prod
  lambda-canary journal --limit 100 --json | jq '.records[].outcome.state'`,
  },
};

export function commandHelp(name: CommandName, sub?: RolloutSubcommand): string {
  const h = name === 'rollout' && sub ? ROLLOUT_HELP[sub] : HELP[name];
  return `Usage: ${h.usage} [OPTIONS]

${h.description}
${h.options ? `\nOptions:\n${h.options}\n` : ''}
${CONNECTION_TEXT}

${OUTPUT_TEXT}

${name === 'rollout' && (sub === undefined || sub === 'start' || sub === 'resume' || sub === 'next' || sub === 'stop') ? ROLLOUT_EXIT_CODES_TEXT : name === 'triggers' ? TRIGGERS_EXIT_CODES_TEXT : EXIT_CODES_TEXT}

Examples:
${h.examples}
`;
}

/** Usage errors: a sentence, then where to look. */
export const usage = {
  noCommand: 'No command given.',
  unknownCommand: (name: string) => `Unknown command '${name}'.`,
  unknownOption: (option: string, command?: string) => `Unknown option '${option}'${command ? ` for '${command}'` : ''}.`,
  missingValue: (option: string) => `Option '${option}' needs a value.`,
  badOption: (detail: string) => detail,
  tooManyArguments: (command: string, extra: string) => `Too many arguments for '${command}': '${extra}'.`,
  missingArgument: (command: string, what: string) => `'${command}' needs ${what}.`,
  missingOption: (command: string, option: string) => `'${command}' needs ${option}.`,
  notFunctionAlias: (value: string) => `'${value}' is not FUNCTION:ALIAS (e.g. checkout-api:prod).`,
  notPercent: (option: string, value: string) => `${option}: '${value}' is not a number of percent (e.g. 10 or 2.5).`,
  notCount: (option: string, value: string) => `${option}: '${value}' is not a whole number.`,
  badVersion: (value: string) => `--version: '${value}' is not a version number (e.g. 8).`,
  notWindow: (value: string) => `--window: '${value}' is not a duration (e.g. 15m, 90, 1h).`,
  qualifierNotAlias: (value: string, qualifier: string) =>
    `'${value}': ${qualifier} is ${qualifier === '$LATEST' ? '$LATEST' : 'a version'}, not an alias; triggers are judged against an alias: name FUNCTION:ALIAS, or FUNCTION alone for every alias.`,
  notTriggerId: (value: string) => `--fix: '${value}' is not a trigger id (esm:UUID, url:QUALIFIER or policy:QUALIFIER:SID, as \`lambda-canary triggers FN:ALIAS\` lists them).`,
  fixNeedsAlias: (fn: string) => `--fix moves a trigger onto an alias: name it, as in ${fn}:prod.`,
  undoNeedsAlias: (fn: string) => `--undo undoes an alias's last trigger fix: name the alias, as in ${fn}:prod.`,
  fixOrUndo: '--fix and --undo cannot go together: one fixes a trigger, the other undoes the last fix.',
  sandboxAndEndpoint: '--sandbox and --endpoint-url cannot be used together: --sandbox is its own endpoint.',
  sandboxAndProfile: '--sandbox and --profile cannot be used together: the sandbox takes no AWS credentials.',
  seeHelp: (command?: string) => `Run 'lambda-canary ${command ? `${command} ` : ''}--help' for usage.`,
};

export const deployText = {
  noWorkspace: (dir: string) => `No lambda-canary.json or template.yaml in ${dir}. Create a lambda-canary.json (e.g. {"functionName": "my-function"}) or pass --dir.`,
  noUsableFunction: (dir: string, skipped: string[]) => `No function of ${dir} can be deployed from the workspace:\n${skipped.map((s) => `  ${s}`).join('\n')}\nFix the template, or create a lambda-canary.json (e.g. {"functionName": "my-function"}).`,
  skippedFunction: (name: string, why: string) => `The workspace's function '${name}' cannot be deployed from the workspace: ${why}`,
  noDir: (dir: string) => `${dir} is not a folder.`,
  configError: (message: string) => `The workspace's configuration cannot be used: ${message}`,
  severalFunctions: (names: string[]) => `The template declares several functions (${listSome(names)}): pick one with --function NAME.`,
  noSuchFunction: (name: string, names: string[]) => `The workspace declares no function '${name}' (it declares ${listSome(names)}).`,
  sampleEvent: (event: string) => `Smoke test with the project's sample event ${event} (--no-smoke skips it; "testEvent" in a lambda-canary.json chooses another).`,
  nameMismatch: (which: string, declared: string, given: string) => `${which} is deployed as ${declared} (its FunctionName), not ${given}: drop --function-name, or pick another function with --function.`,
  /**
   * `which` undefined: no workspace function (a deploy by --function-name alone). `newestActive`:
   * the newest Active published version (null: there is none; undefined: not known).
   */
  noAlias: (which: string | undefined, fn: string, aliases: string[] | undefined, listingFailed?: string, newestActive?: string | null) =>
    (which === undefined ? `Which alias of ${fn}? Pass --alias NAME. ` : `${which} declares no alias (no AutoPublishAlias, or one the template computes): pass --alias NAME. `) +
    (aliases === undefined
      ? `The aliases of ${fn} could not be listed: ${listingFailed ?? 'unknown error'}`
      : aliases.length
        ? `${fn} has: ${aliases.join(', ')}.`
        : newestActive === null
          ? `${fn} has no alias yet, and no Active published version for one to point to: publish a version (aws lambda publish-version --function-name ${fn}), create an alias on it (aws lambda create-alias --function-name ${fn} --name prod --function-version VERSION), then pass --alias prod.`
          : `${fn} has no alias yet: create one pointing to a published version you trust (aws lambda create-alias --function-name ${fn} --name prod --function-version ${newestActive ?? 'VERSION'}${newestActive ? `; ${newestActive} is the newest Active version` : ''}), then pass --alias prod.`),
  buildNotSam: (config: string) => `--build runs \`sam build\` for a function of a SAM template; ${config} is not one (its "build" command runs on every deploy).`,
  buildHint: 'Or pass --build: deploy runs `sam build` for the function first.',
  buildImage: '--build builds a zip function with `sam build`; an image deployed with --image-uri is built and pushed by you, not here.',
  computedName: (logicalId: string) => `The template computes the name of ${logicalId}: pass the deployed function's name with --function-name NAME.`,
  question: (dir: string, fn: string, alias: string, weight: number, now: string | undefined) =>
    `Deploy ${dir} to ${fn} and route ${weight}% of ${alias} to the new version${now ? ` (now ${now})` : ''}?`,
  imageQuestion: (image: string, fn: string, alias: string, weight: number, now: string | undefined) =>
    `Deploy the image ${image} to ${fn} and route ${weight}% of ${alias} to the new version${now ? ` (now ${now})` : ''}?`,
  imageNeedsUri: imageFunctionNeedsUri,
  badImageUri: (message: string) => `--image-uri: ${message}`,
};

/** The question before each alias-changing command; `now` is the alias's routing as just read. */
export const questions = {
  canary: (fn: string, alias: string, version: string, weight: number, now: string | undefined) =>
    `Route ${weight}% of ${fn}:${alias} to version ${version}${now ? ` (now ${now})` : ''}?`,
  weight: (fn: string, alias: string, weight: number, now: string | undefined) => `Set the canary of ${fn}:${alias} to ${weight}%${now ? ` (now ${now})` : ''}?`,
  promote: (fn: string, alias: string, now: string | undefined) => `Promote the canary of ${fn}:${alias}: all traffic to it${now ? ` (now ${now})` : ''}?`,
  rollback: (fn: string, alias: string, now: string | undefined) => `Roll back the canary of ${fn}:${alias}: all traffic to the stable version${now ? ` (now ${now})` : ''}?`,
  switch: (fn: string, alias: string, version: string, now: string | undefined) => `Switch ${fn}:${alias} to version ${version}, all traffic at once${now ? ` (now ${now})` : ''}?`,
  'switch-back': (fn: string, alias: string, to: string | undefined, now: string | undefined) =>
    `Switch ${fn}:${alias} back${to ? ` to version ${to}` : ''}, all traffic at once${now ? ` (now ${now})` : ''}?`,
  triggerFix: (label: string, id: string, target: string, text: string) => `Move ${label} (${id}) onto ${target}? ${text}`,
  undoFix: (label: string, target: string, what: string, at: string) => `Undo the last trigger fix of ${target} (${at}), on ${label}? It was: ${what}`,
  returnTo: (fn: string, alias: string, at: string, summary: string, state: string, now: string | undefined) =>
    `Return ${fn}:${alias} to its state after ${at} (${summary}): ${state}, all traffic at once${now ? ` (now ${now})` : ''}?`,
  suffix: ' [y/N] ',
};

export const confirmText = {
  declined: 'Nothing was changed.',
  fixNeedsYes: "'triggers --fix' and 'triggers --undo' change a trigger and ask first, but stdin or stderr is not a terminal: add --yes to go ahead without asking. Nothing was changed.",
  needsYes: (command: string) =>
    `'${command}' changes an alias and asks first, but stdin or stderr is not a terminal: add --yes to go ahead without asking. Nothing was changed.`,
};

export const progressText = {
  startingSandbox: 'Starting the embedded sandbox with the demo functions…',
  sandboxReady: (endpoint: string, functions: string[]) => `Sandbox at ${endpoint}: ${functions.join(', ')} (stopped when this command ends).`,
  cancelling: 'Cancelling… (Ctrl+C again to quit at once)',
  warning: (text: string) => `warning: ${text}`,
  journalProblem: (text: string) => `warning: ${text}`,
  probeProgress: (done: number, total: number) => `… ${done}/${total} invocations`,
};

export const listText = {
  none: 'No functions.',
  header: ['FUNCTION', 'RUNTIME', 'LAST MODIFIED', 'DESCRIPTION'],
  count: (n: number) => `${n} function${n === 1 ? '' : 's'}.`,
};

export const showText = {
  title: (name: string, runtime: string, handler: string, modified: string) => `${name}  (${runtime}, ${handler}, modified ${modified})`,
  description: (d: string) => `  ${d}`,
  aliases: 'Aliases:',
  noAliases: '  (none)',
  alias: (label: string, revision: string) => `  ${label}   [RevisionId ${revision}]`,
  versions: 'Versions (newest first):',
  version: (v: string, modified: string, sha: string, description: string) => `  ${v.padEnd(8)} ${modified.padEnd(25)} ${sha.slice(0, 12).padEnd(12)}  ${description}`,
  moreVersions: (n: number) => `  … and ${n} older (--json lists them all)`,
};

/** The words of `history`; entries' summaries and CloudTrail's status come from core (src/core/history/text.ts). */
export const historyText = {
  usage: "'history' needs FUNCTION:ALIAS (e.g. checkout-api:prod), or 'history return FUNCTION:ALIAS ENTRY-ID'.",
  returnUsage: "'history return' needs FUNCTION:ALIAS and an entry's id, as 'history FUNCTION:ALIAS' lists them.",
  badWhen: (option: string, value: string) => `${option}: '${value}' is neither a time ago (7d, 24h, 30m, 90s, 2w) nor an ISO date/time (2026-12-01 or 2026-12-01T10:00:00Z).`,
  emptyWindow: '--since must be before --until (and before now).',
  jsonOrCsv: '--json and --csv are two formats: pick one.',
  csvNotForReturn: "'history return' prints an outcome: --json, not --csv.",
  zeroPages: '--cloudtrail-pages: at least 1 (or --no-cloudtrail for none).',
  heading: (target: string, since: string, until: string, now: string | undefined) => `${target}: history from ${since} to ${until} (local time)${now ? `; now ${now}` : ''}`,
  none: 'No changes in this window.',
  header: ['TIME', 'WHO', 'WHAT', 'ENDED', 'SOURCE'],
  id: (id: string) => `    id ${id}`,
  caller: (arn: string, userAgent: string) => `    caller ${arn}${userAgent ? `${arn ? ', ' : ''}user agent ${userAgent}` : ''}`,
  published: (version: string, sha: string, description: string) => `    version ${version}: CodeSha256 ${sha}${description ? `, ${description}` : ''}`,
  step: (label: string, verdict: string | undefined, text: string) => `    step ${label}${verdict ? ` ${verdict}` : ''}: ${text}`,
  ended: (text: string) => `    ${text}`,
  returnable: (state: string) => `    return to this state: ${state}`,
  notReturnable: (reason: string) => `    no return: ${reason}`,
  noEntry: (id: string, target: string) => `The history of ${target} has no entry '${id}' in this window (\`lambda-canary history ${target}\` lists them; --since reaches further back).`,
  ambiguousEntry: (id: string) => `'${id}' is the start of several entries' ids: give more of it.`,
  cannotReturn: (at: string, reason: string) => `The state after ${at} cannot be restored: ${reason}.`,
};

export const journalText = {
  none: (dir: string) => `No records in the deployment journal (${dir}).`,
  line: (at: string, by: string, state: string, action: string, target: string, text: string) => `${at}  ${by}  ${action} ${target}: ${state} — ${text}`,
};

const FIX_WORDS: Record<string, string> = { 'route-through-alias': 'route through', 'create-url-on-alias': 'create URL on', 'grant-on-alias': 'grant on' };

/** The `triggers` table's words; a trigger's sentences (detail, fix, notes) come from core. */
export const triggersText = {
  summary: (fn: string, n: number, bypass: number, alias: string | undefined, aliases: string[]) =>
    `${fn}: ${n} trigger${n === 1 ? '' : 's'}${n ? `, ${bypass ? `${bypass} bypass${bypass === 1 ? 'es' : ''} ${alias ?? 'every alias'}` : `none bypasses ${alias ?? 'every alias'}`}` : ''}` +
    `${alias === undefined ? ` (aliases: ${aliases.length ? aliases.join(', ') : 'none'})` : ''}.`,
  none: 'No event source mappings, function URLs, policy statements or async invoke configurations. Callers authorised by IAM identity policies (Step Functions, other functions) leave no trace here.',
  header: ['ID', 'TRIGGER', 'CALLS', 'VERDICT', 'FIX'],
  through: (alias: string) => `✓ through ${alias}`,
  bypasses: (alias: string | undefined) => `⚠ bypasses ${alias ?? 'every alias'}`,
  otherAlias: (alias: string) => `· through ${alias}`,
  info: '· no routing',
  unqualified: '$LATEST',
  version: (v: string) => `version ${v}`,
  fixCell: (action: string, alias: string) => `${FIX_WORDS[action] ?? action} ${alias}`,
  source: (source: string) => `  source: ${source}`,
  target: (target: string) => `  calls:  ${target}`,
  note: (note: string) => `  note:   ${note}`,
  fix: (text: string) => `  fix:    ${text}`,
  fixCommand: (command: string) => `          ${command}`,
  noSuchTrigger: (id: string, target: string, ids: string[]) =>
    `${target} has no trigger '${id}'${ids.length ? ` (it has ${listSome(ids)})` : ' (it has none)'}: \`lambda-canary triggers ${target}\` lists them.`,
  followUp: (line: string) => `  then: ${line}`,
  nothingToFix: (label: string, detail: string) => `${label} has nothing to fix: ${detail}`,
  noFixToUndo: (target: string) => `The journal has no trigger fix of ${target} on this connection: nothing to undo.`,
  lastFixNotUndoable: (target: string, what: string) => `The last trigger fix of ${target} has nothing to undo (it was an undo, or it did not complete): ${what}`,
};

/** The pre-flight's lines before a write; its sentences come from core. */
export const preflightText = {
  heading: (target: string, summary: string) => `Pre-flight of ${target}:${summary ? ` ${summary}` : ''}`,
  finding: (severity: 'warning' | 'blocker', message: string, fix: string | undefined, command: string | undefined) =>
    `  ${severity}: ${message}${fix ? ` Fix: ${fix}` : ''}${command ? ` (${command})` : ''}`,
  refused: (blockers: number) => `The pre-flight found ${blockers === 1 ? 'a blocker' : `${blockers} blockers`}: Lambda would refuse or misroute the weighted alias.`,
};

export const errorText = {
  readFailed: (what: string, message: string) => `Could not read ${what}: ${message}`,
  unexpected: (message: string) => `lambda-canary failed unexpectedly: ${message}`,
  sandboxFailed: (message: string) => `The embedded sandbox could not start: ${message}`,
  journalUnreadable: (dir: string, message: string) => `The deployment journal in ${dir} cannot be read: ${message}`,
};

const at = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const pct = (w: number) => `${Number(w.toFixed(4))}%`;

/** The words of CodeDeploy rollouts in the CLI; the deployment's own sentences come from core (statusText). */
export const codeDeployText = {
  unread: (message: string) => `lambda-canary: CodeDeploy could not be read: ${message}`,
  startQuestion: (fn: string, alias: string, version: string, plan: string, group: string, now: string | undefined) =>
    `Hand a rollout of version ${version} on ${fn}:${alias}${now ? ` (now ${now})` : ''} to CodeDeploy (${group}): ${plan}?`,
  stopQuestion: (id: string, fn: string, alias: string, rollback: boolean, now: string) =>
    `Stop CodeDeploy deployment ${id} on ${fn}:${alias} (${now})${rollback ? ' and roll the alias back' : ', leaving the alias where it is'}?`,
  started: (fn: string, alias: string, id: string, version: string, config: string) =>
    `${fn}:${alias}: CodeDeploy deployment ${id} of version ${version} started (${config}). CodeDeploy steps the alias by itself: \`lambda-canary rollout status ${fn}:${alias}\` follows it.`,
  change: (text: string) => text,
  interrupted: (id: string, target: string) => `Stopped watching: CodeDeploy deployment ${id} goes on by itself; \`lambda-canary rollout status ${target}\` shows it, \`rollout stop ${target} --rollback\` stops it.`,
  noDeployment: (target: string) => `No CodeDeploy deployment is in flight on ${target}: nothing to stop.`,
  heading: (target: string, id: string, version: string, stable: string, status: string, deploymentStatus: string) =>
    `${target}: CodeDeploy deployment ${id} of version ${version} (stable ${stable}): ${status} (${deploymentStatus})`,
  group: (application: string, group: string, config: string, weight: number | undefined) =>
    `  ${application}/${group}, ${config}${weight !== undefined ? `, ${Number(weight.toFixed(2))}% on the new version` : ''}`,
  lifecycle: (name: string, status: string, hook: string | undefined, message: string | undefined) => `    ${name}: ${status}${hook ? ` (hook ${hook})` : ''}${message ? ` — ${message}` : ''}`,
  unreadable: (id: string, why: string) => `lambda-canary: could not read CodeDeploy deployment ${id}: ${why}`,
};

/** The rollout subcommands' own words; a rollout's state sentences come from core (statusText, verdict sentences). */
export const rolloutText = {
  notAVersion: (version: string) => `--version: '${version}' is not a published version number (e.g. 8).`,
  sampleEvent: (file: string) => `Smoke test with the project's sample event ${file}.`,
  driverUnread: (where: string, message: string) => `lambda-canary: could not read ${where} for its driver: ${message}`,
  unknownSubcommand: (name: string) => `Unknown rollout subcommand '${name}': use start, status, pause, resume, next, promote, abort or stop.`,
  noSubcommand: "'rollout' needs a subcommand: start, status, pause, resume, next, promote, abort or stop.",
  optionNotFor: (option: string, sub: string) => `--${option} is not an option of 'rollout ${sub}'.`,
  needsTarget: (sub: string) => `'rollout ${sub}' needs FUNCTION:ALIAS (e.g. checkout-api:prod).`,
  versionOrDir: "'rollout start' needs --version V (a published version) or --dir D (deploy the folder's function first), not both.",
  onlyWithDir: (option: string) => `--${option} goes with --dir: it picks or builds the workspace function to deploy.`,
  badPlan: (message: string) => `--plan: ${message}`,
  /** The typed plan with a caret under the column. */
  planCaret: (text: string, column: number) => `  ${text}\n  ${' '.repeat(Math.max(0, column - 1))}^`,
  noPlan: (where: string | undefined) =>
    `'rollout start' needs --plan P (a preset such as Canary10Percent5Minutes, or steps such as "10%@5m, 50%@10m, 100%")${where ? `: ${where} has no "rollout"` : ''}.`,
  dirAllAtOnce: (plan: string) =>
    `The plan ${plan} starts at 100 %: a deploy cannot be rolled out from there. Use \`lambda-canary deploy --weight 10\` then \`lambda-canary switch FN:ALIAS V\` for all at once, or a plan with a first step below 100 %.`,
  nameMismatch: (which: string, declared: string, given: string) => `The workspace's ${which} is deployed as ${declared} (its FunctionName), not ${given}: name ${declared}:ALIAS, or pick another function with --function.`,
  imageDir: (which: string) => `${which} is an image function: deploy it with \`lambda-canary deploy --image-uri URI\`, then \`rollout start --version V\` with the version it published.`,
  buildNotSam: (config: string) => `--build runs \`sam build\` for a function of a SAM template; ${config} is not one.`,
  waitNotFor: (sub: string) => `--wait is not an option of 'rollout ${sub}': ${sub === 'pause' ? 'a paused rollout would wait for nobody' : 'it ends the rollout at once'}.`,
  badTiming: (value: string) => `LAMBDA_CANARY_ROLLOUT_TIMING: '${value}' is not a list of NAME=MILLISECONDS (tickMs, leaseTtlMs, renewBeforeMs, settleMs, stableHistoryMs, errorPatienceMs) or periodSeconds=N.`,
  nothingDeployed: 'Nothing was deployed.',
  noCanary: (fn: string, alias: string) => `The deploy left no canary on ${fn}:${alias} to roll out: see its outcome above. Nothing else was changed.`,

  // questions
  startQuestion: (fn: string, alias: string, version: string, plan: string, now: string | undefined) => `Roll out version ${version} on ${fn}:${alias}${now ? ` (now ${now})` : ''}: ${plan}?`,
  startDirQuestion: (dir: string, fn: string, alias: string, weight: number, plan: string, now: string | undefined) =>
    `Deploy ${dir} to ${fn}, route ${pct(weight)} of ${alias} to the new version${now ? ` (now ${now})` : ''}, and roll it out: ${plan}?`,
  controlQuestion: (action: 'next' | 'promote' | 'abort', fn: string, alias: string, version: string, stable: string, step: string) =>
    action === 'next'
      ? `Go on to the next step of the rollout of version ${version} on ${fn}:${alias} (now ${step})?`
      : action === 'promote'
        ? `Promote the rollout of version ${version} on ${fn}:${alias} now (at ${step}): all traffic to version ${version}?`
        : `Abort the rollout of version ${version} on ${fn}:${alias} (at ${step}): all traffic back to version ${stable}?`,

  // progress and results
  started: (fn: string, alias: string, id: string, version: string, step: string, weight: number, plan: string) => `${fn}:${alias}: rollout ${id} of version ${version} started: ${step}, ${pct(weight)} on version ${version} (${plan}).`,
  adopted: (version: string) => `Deployed version ${version}; the rollout takes its canary over as step 1.`,
  step: (index: number, steps: number, weight: number, version: string) => `step ${index + 1}/${steps}: ${pct(weight)} on version ${version}`,
  verdict: (verdict: string, sentence: string) => `${verdict}: ${sentence}`,
  end: (fn: string, alias: string, statusText: string) => `${fn}:${alias}: ${statusText}`,
  held: (fn: string, alias: string, statusText: string) => `${fn}:${alias}: needs a person: ${statusText}`,
  heldHint: (target: string) =>
    `Stopped driving it (its lease was let go). Go on with \`lambda-canary rollout next ${target}\`, \`rollout promote ${target}\`, \`rollout abort ${target}\`, or \`rollout resume ${target} --wait\` to judge again.`,
  notDriven: (target: string) => `Nothing drives the rollout now: \`lambda-canary rollout resume ${target} --wait\` drives it (or Resume in the editor).`,
  interrupted: (target: string) => `Stopped driving: the rollout goes on without a driver (its lease was let go); the alias keeps its weight. \`lambda-canary rollout resume ${target} --wait\` drives it again.`,

  // status
  none: (target: string | undefined) => (target ? `No rollout of ${target} in this journal.` : 'No rollouts in this journal for this connection.'),
  foreignLease: (target: string, id: string, step: number, steps: number, holder: string, since: number, until: number) =>
    `${target}: rollout ${id} at step ${step + 1}/${steps}, driven by ${holder} since ${at(since)} (lease until ${at(until)}); its records are in the driver's journal.`,
  heading: (target: string, id: string, version: string, stable: string, status: string, step: string) => `${target}: rollout ${id} of version ${version} (stable ${stable}): ${status}, ${step}`,
  plan: (text: string, description: string) => `  plan: ${text} (${description})`,
  startedAt: (started: number, ended: number | undefined) => `  started ${at(started)}${ended !== undefined ? `, ended ${at(ended)}` : ''}`,
  stepLine: (current: boolean, index: number, weight: number, bake: string, manual: boolean, when: string, verdict: string) =>
    `  ${current ? '>' : ' '} ${index + 1}. ${pct(weight).padEnd(7)} ${bake.padEnd(12)}${manual ? ' manual' : '       '}  ${when}${verdict ? `  ${verdict}` : ''}`.trimEnd(),
  stepWhen: (startedAt: number | undefined, endedAt: number | undefined) => (startedAt === undefined ? '' : `${at(startedAt)}${endedAt !== undefined ? ` – ${at(endedAt)}` : ''}`),
  bakeLeft: (left: string) => `bake left ${left}`,
  bakeOver: 'bake over, judging',
  promotion: 'promotion',
  evidence: (verdict: string, sentence: string) => `  evidence: ${verdict}: ${sentence}`,
  statusLine: (text: string) => `  ${text}`,
  drivenBy: (holder: string, since: number | undefined, until: number, self: boolean) => `  driven by ${holder}${self ? ' (this process)' : ''}${since !== undefined ? ` since ${at(since)}` : ''} (lease until ${at(until)})`,
  engineNotFor: (option: string) => `--${option} goes with --engine codedeploy.`,
  badEngine: (value: string) => `--engine: '${value}' is not an engine: local (this process steps the alias) or codedeploy (AWS CodeDeploy does).`,
  codeDeployVersionOnly: "'rollout start --engine codedeploy' takes --version V (a published version), not --dir: a deploy leaves a canary, and CodeDeploy starts from an alias that serves one version. Publish the version first.",
  notDrivenExpired: (until: number | undefined, target: string) =>
    `  not driven${until !== undefined ? ` (lease expired at ${at(until)})` : ''}: \`lambda-canary rollout resume ${target} --wait\` drives it`,
};

export const releaseText = {
  badSubcommand: (sub: string | undefined, subcommands: readonly string[]) =>
    sub === undefined ? `'release' needs a subcommand: ${subcommands.join(', ')}.` : `'release ${sub}' is not a subcommand: ${subcommands.join(', ')}.`,
  notAnOption: (option: string, sub: string) => `--${option} is not an option of 'release ${sub}'.`,
  startTakesNoId: "'release start' takes no release id: it starts a new release of the folder's functions (--dir).",
  notAStage: (id: string) => `'${id}' is not a stage name: name one of lambda-canary.json's "stages", or none for the next one.`,
  needsId: (sub: string) => `'release ${sub}' needs the release's id, as 'lambda-canary release status' lists them.`,
  notAnId: (id: string) => `'${id}' is not a release id (hex, as 'lambda-canary release status' lists them).`,
  notAFolder: (dir: string) => `${dir} is not a folder.`,
  needsPlan: `The release needs a plan: --plan (e.g. '10%@5m, 50%@10m, 100%' or Canary10Percent5Minutes), or "rollout" in lambda-canary.json.`,
  noSuchRelease: (id: string) => `No release ${id} in this journal for this connection.`,
  noReleases: 'No releases in this journal for this connection.',
  confirmStart: (members: string[], stage: string | undefined, plan: string) =>
    `Release ${members.length} function${members.length === 1 ? '' : 's'} (${members.join(', ')})${stage ? ` to ${stage}` : ''} through ${plan}?`,
  confirmPromoteStage: (source: string, target: string | undefined, plan: string | undefined) =>
    `Promote ${source} to ${target ?? 'the next stage'}: the packages that passed the stage before, uploaded as they are${plan ? `, through ${plan}` : ''}?`,
  confirmControl: (sub: string, id: string | undefined, stage: string | undefined) =>
    `${sub === 'restore' ? 'Restore every alias of' : sub === 'promote' ? 'Promote every function of' : 'Abort'} release ${id}${stage ? ` (${stage})` : ''}?`,
  skipped: (reason: string) => `Not in the release: ${reason}`,
};
