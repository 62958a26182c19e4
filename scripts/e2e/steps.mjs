// The steps of the e2e suite, in order: each one starts where the previous one left the sandbox
// (demo seed: checkout-api has versions 1–3, prod → 2 with 10 % on 3, staging → 3).
// Every step checks the UI (tree labels, notifications, dialogs, the panel) and the sandbox's
// state through the SDK. A step returns nothing, or { skipped: 'why' }.
import * as assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SandboxState } from './sandbox-state.mjs';
import { sleep, waitFor } from './workbench.mjs';

const FN = 'checkout-api';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const execFileP = promisify(execFile);
const SMOKE_EVENT = { items: [{ sku: 'canary-seed', price: 4.5, qty: 2 }] }; // events/smoke.json of the workspace

/** Waits until the SDK reports the alias routing `expected` ({ version, weights }). */
function expectRouting(sb, alias, expected, what) {
  return expectRoutingOf(sb, FN, alias, expected, what);
}

/** The alias rows shown under one function (several functions have a `prod → 2`). */
async function aliasRowsOf(wb, fn) {
  const rows = await wb.treeRows();
  const i = rows.findIndex((r) => r.level === 1 && r.label.trim() === fn);
  if (i < 0) return [];
  const rest = rows.slice(i + 1);
  const end = rest.findIndex((r) => r.level === 1);
  return (end < 0 ? rest : rest.slice(0, end)).filter((r) => r.level === 3).map((r) => r.label.trim());
}

/** Waits until `fn`'s aliases show `label` (refreshing the view when asked: another client's writes). */
async function waitForAliasRow(wb, fn, label, { refresh = false, timeout = 30_000 } = {}) {
  await waitFor(
    async () => {
      if (refresh) {
        await wb.runCommand('Lambda Canary: Refresh');
        await wb.expand(fn).catch(() => undefined);
      }
      return (await aliasRowsOf(wb, fn)).includes(label);
    },
    { timeout, interval: refresh ? 1500 : 150, what: `${fn}'s aliases to show "${label}"`, describe: async () => `they show ${JSON.stringify(await aliasRowsOf(wb, fn))}` },
  );
}

/** Waits until the SDK reports `fn`'s alias routing `expected` ({ version, weights }). */
async function expectRoutingOf(sb, fn, alias, expected, what) {
  let last;
  await waitFor(
    async () => {
      last = await sb.routing(fn, alias);
      return last.version === expected.version && JSON.stringify(last.weights) === JSON.stringify(expected.weights);
    },
    { timeout: 15_000, what: `${what}: the sandbox to route ${fn}:${alias} as ${JSON.stringify(expected)}`, describe: () => `it routes ${JSON.stringify(last)}` },
  );
}

/** The alias row shows exactly the label the SDK's alias gives (the UI and the sandbox agree). */
async function expectAliasRowMatchesSandbox(wb, sb, alias) {
  const a = await sb.alias(FN, alias);
  await wb.waitForRow(SandboxState.label(a));
  return a;
}

/**
 * The pre-flight's question before traffic moves (the demo seeds triggers that bypass the alias:
 * checkout-api's API Gateway permission, price-quote's URL, orders-worker's queue mapping): it
 * names the bypass, and Go On goes on.
 */
async function goOnPastPreflight(wb, what, fn, alias) {
  await wb.answerDialog('Go On', { message: new RegExp(`${what} on ${fn}:${alias}: \\d+ of \\d+ sources bypass(es)? ${alias}: the canary would see`) });
}

/** Publish Canary… from the alias's context menu with a quick weight; returns the new version. */
async function publishCanaryFromTree(ctx, rowLabel, weightLabel) {
  const { wb, sb } = ctx;
  const before = (await sb.versions(FN)).map((v) => v.Version);
  const since = Date.now();
  await wb.contextMenu(rowLabel, 'Publish Canary…');
  await goOnPastPreflight(wb, 'Publish Canary', FN, 'prod');
  await wb.pick(weightLabel, { title: `Publish Canary to ${FN}:prod: canary weight` });
  // The progress notification runs (its title, then each step as its message).
  await wb.waitForNotification(`Publishing a canary of ${FN}:prod`, { since, timeout: 60_000 });
  const done = await wb.waitForNotification(new RegExp(`^${FN}: Published version \\d+\\. `), { since, timeout: 120_000 });
  const after = (await sb.versions(FN)).map((v) => v.Version);
  const added = after.filter((v) => !before.includes(v));
  assert.equal(added.length, 1, `Publish Canary should publish exactly one version (before ${before}, after ${after})`);
  return { version: added[0], notification: done.text, since };
}

/** The getting-started walkthrough's step titles, in order (package.nls.json). */
const WALKTHROUGH_TITLE = 'Get Started with Lambda Canary';
const WALKTHROUGH_STEPS = ['Connect', 'Find your function', 'Publish a canary', 'Watch it in the traffic panel', 'Start a rollout', 'Roll back'];

/** The open walkthrough's steps as { title, done } (its checkboxes' aria-checked). */
function walkthroughSteps(page) {
  return page.locator('.gettingStartedContainer button.getting-started-step').evaluateAll((els) =>
    els.map((el) => ({ title: el.querySelector('.step-title')?.textContent?.trim() ?? '', done: el.getAttribute('aria-checked') === 'true' })),
  );
}

/** Waits until the open walkthrough is ours and lists its steps. */
async function expectWalkthroughShown(page) {
  const container = page.locator('.gettingStartedContainer');
  await waitFor(async () => (await container.innerText({ timeout: 1000 }).catch(() => '')).includes(WALKTHROUGH_TITLE), { timeout: 30_000, what: `the walkthrough "${WALKTHROUGH_TITLE}"` });
  let shown = [];
  await waitFor(async () => JSON.stringify((shown = await walkthroughSteps(page)).map((x) => x.title)) === JSON.stringify(WALKTHROUGH_STEPS), { timeout: 10_000, what: 'the walkthrough to list its six steps', describe: () => JSON.stringify(shown) });
  return shown;
}

export const steps = [
  {
    id: 'view',
    title: '1. The Lambda Canary view: the demo functions, then checkout-api\'s aliases and versions',
    async run(ctx) {
      const { wb, sb, endpoint } = ctx;
      await wb.ready();
      await wb.openViewContainer('Lambda Canary');
      const names = await sb.functionNames();
      assert.deepEqual(names, ['checkout-api', 'checkout-api-router', 'deploy-check', 'image-resizer', 'nightly-report', 'orders-worker', 'price-quote', 'shop-notifications', 'shop-orders-api', 'shop-payments'], 'the sandbox holds the demo functions');
      await waitFor(async () => JSON.stringify((await wb.treeRows()).filter((r) => r.level === 1).map((r) => r.label)) === JSON.stringify(names), {
        timeout: 60_000,
        what: 'the demo functions in the view',
        describe: () => wb.describeTree(),
      });
      const fnRow = await wb.waitForRow(FN);
      assert.equal(fnRow.description, (await sb.latest(FN)).Runtime, 'a function row shows its runtime');
      await waitFor(async () => (await wb.statusBarText()).includes(`local · ${endpoint}`), { what: `the status bar to show the connection "local · ${endpoint}"`, describe: async () => `it shows "${(await wb.statusBarText()).replace(/\s+/g, ' ')}"` });

      await wb.expand(FN);
      await wb.waitForRow('Aliases');
      for (const a of await sb.aliases(FN)) await wb.waitForRow(SandboxState.label(a));
      const prod = await wb.waitForRow('prod → 2 (90%) · 3 (10%)', { description: 'canary' });
      assert.ok(prod, 'prod shows the demo canary');
      await wb.waitForRow('staging → 3');

      await wb.expand('Versions');
      const versions = await sb.versions(FN);
      assert.deepEqual(versions.map((v) => v.Version), ['$LATEST', '1', '2', '3']);
      for (const v of versions) await wb.waitForRow(v.Version);
      const rows = await wb.treeRows();
      const desc = (v) => rows.find((r) => r.label === v)?.description ?? '';
      for (const v of versions.filter((x) => x.Version !== '$LATEST')) {
        assert.ok(desc(v.Version).includes(v.Description), `version ${v.Version} is described "${desc(v.Version)}", expected its description "${v.Description}"`);
        assert.ok(desc(v.Version).includes(`sha ${Buffer.from(v.CodeSha256, 'base64').toString('hex').slice(0, 8)}`), `version ${v.Version} shows its CodeSha256`);
      }
      assert.match(desc('2'), /← prod 90%/);
      assert.match(desc('3'), /← prod 10%, staging/);
      assert.match(desc('$LATEST'), /Successful/);

      // The extension's first activation opened its walkthrough; the last step comes back to it.
      const shown = await expectWalkthroughShown(ctx.page);
      assert.ok(shown.every((x) => !x.done), `nothing is done yet: ${JSON.stringify(shown)}`);
      await ctx.shot('walkthrough');
      await wb.runCommand('View: Close All Editors');
    },
  },

  {
    id: 'publish-canary',
    title: '2. Right-click prod → Publish Canary… → 10 %: the progress runs, the label shows the split',
    async run(ctx) {
      const { wb, sb, workspace, features } = ctx;
      // The demo's own canary (version 3) still runs on prod, and an alias takes one canary at a
      // time: a user rolls it back first (Roll Back Canary, from the same context menu).
      await wb.contextMenu('prod → 2 (90%) · 3 (10%)', 'Roll Back Canary');
      await wb.answerDialog('Roll Back', { message: 'Roll back the canary of prod?' });
      await wb.waitForRow('prod → 2');
      await expectRouting(sb, 'prod', { version: '2', weights: {} }, 'after rolling back the demo canary');
      await wb.clearNotifications();

      const { version, notification } = await publishCanaryFromTree(ctx, 'prod → 2', '10%');
      assert.equal(version, '4');
      await wb.waitForRow('prod → 2 (90%) · 4 (10%)', { description: 'canary', timeout: 30_000 });
      assert.equal(notification, `${FN}: Published version 4. 10% of prod goes to version 4: prod → 2 (90%) · 4 (10%).`);
      await expectRouting(sb, 'prod', { version: '2', weights: { 4: 0.1 } }, 'after Publish Canary');
      await expectAliasRowMatchesSandbox(wb, sb, 'prod');
      // Version 4 is the workspace's code: $LATEST's, and it answers as the workspace handler does.
      const v4 = (await sb.versions(FN)).find((v) => v.Version === '4');
      assert.equal(v4.CodeSha256, (await sb.latest(FN)).CodeSha256, 'version 4 holds the uploaded code');
      const r = await sb.invoke(FN, '4', SMOKE_EVENT);
      assert.equal(r.version, '4');
      assert.deepEqual(JSON.parse(r.payload.body), { release: 'workspace', version: '4', total: 9 }, 'version 4 runs the workspace handler');
      assert.ok(fs.existsSync(path.join(workspace, 'lambda-canary.json')));
      // Once the traffic panel exists, Publish Canary opens it in an editor tab.
      if (features.trafficPanel) {
        await waitFor(async () => (await wb.editorTabs()).some((t) => t.includes(`prod · ${FN}`)), { timeout: 30_000, what: 'the traffic panel tab', describe: async () => `tabs: ${JSON.stringify(await wb.editorTabs())}` });
      }
    },
  },

  // ───────────────────────────────────────────────────────────────────────────────────────────
  // STEP 3: THE TRAFFIC PANEL (webview). Runs once the package holds the panel (the command
  // lambdaCanary.openTrafficPanel and dist/webview.js); until then it promotes from the tree, so
  // that step 4 starts from the same state, and reports itself skipped.
  // The page's ids come from src/webview/main.ts (#split, td.observed, #probe, #probe-split,
  // #promote, the routing bar #routing, an image labelled "prod: version 2 at 90 percent, …"); keep them in step with it.
  // ───────────────────────────────────────────────────────────────────────────────────────────
  {
    id: 'traffic-panel',
    title: '3. The traffic panel: configured 90/10, the observed split fills in, Probe, then Promote',
    async run(ctx) {
      const { wb, sb, features } = ctx;
      if (!features.trafficPanel) {
        await wb.contextMenu('prod → 2 (90%) · 4 (10%)', 'Promote Canary');
        await wb.answerDialog('Promote', { message: 'Promote version 4 to 100% of prod?' });
        await wb.waitForRow('prod → 4');
        await expectRouting(sb, 'prod', { version: '4', weights: {} }, 'after Promote Canary');
        return { skipped: 'the traffic panel is not in the package yet (command lambdaCanary.openTrafficPanel, dist/webview.js); promoted from the tree instead' };
      }
      const view = wb.webview();
      const configured = view.locator('#routing[role="img"]');
      await waitFor(async () => (await configured.getAttribute('aria-label', { timeout: 2000 })) === 'prod: version 2 at 90 percent, version 4 at 10 percent', {
        timeout: 60_000,
        what: 'the panel to show the configured split 90/10',
        describe: async () => `it shows "${await configured.getAttribute('aria-label', { timeout: 1000 }).catch(() => '(no routing bar)')}"`,
      });
      // Live traffic (the sandbox's generator invokes prod 20 times a second) reaches version 4.
      const observed4 = view.locator('#split tbody tr[data-version="4"] td.observed');
      await waitFor(
        async () => {
          const t = (await observed4.innerText({ timeout: 1000 }).catch(() => '')).trim();
          if (/^\d+(\.\d+)?%$/.test(t) && parseFloat(t) > 0) return true;
          await view.locator('#refresh').click({ timeout: 1000 }).catch(() => undefined);
          return false;
        },
        { timeout: 90_000, interval: 2000, what: 'an observed share for version 4 from live traffic', describe: async () => `the split table reads ${JSON.stringify(await view.locator('#split').innerText({ timeout: 1000 }).catch(() => '(none)'))}` },
      );
      // Probe: invocations now, counted by the version that answered.
      await view.locator('#probe').click();
      const caption = view.locator('#probe-split caption');
      await waitFor(async () => /Probe: \d+ answered/.test(await caption.innerText({ timeout: 1000 }).catch(() => '')) && !(await view.locator('#probe').innerText()).includes('Probing'), {
        timeout: 60_000,
        what: 'the probe to finish',
        describe: async () => `the probe reads ${JSON.stringify(await view.locator('.probe').innerText({ timeout: 1000 }).catch(() => '(none)'))}`,
      });
      const probed = await view.locator('#probe-split tbody tr').evaluateAll((rows) => rows.map((r) => ({ version: r.getAttribute('data-version'), n: Number(r.querySelector('td')?.textContent) })));
      assert.ok(probed.every((p) => p.version === '2' || p.version === '4'), `the probe was answered only by versions 2 and 4: ${JSON.stringify(probed)}`);
      assert.ok((probed.find((p) => p.version === '4')?.n ?? 0) > 0, `version 4 answered some probes: ${JSON.stringify(probed)}`);
      await ctx.shot('probe');
      // Promote, confirmed.
      await view.locator('#promote').click();
      await wb.answerDialog('Promote', { message: 'Promote version 4 to 100% of prod?' });
      await wb.waitForRow('prod → 4');
      await waitFor(async () => (await configured.getAttribute('aria-label', { timeout: 1000 })) === 'prod: version 4 at 100 percent', { timeout: 30_000, what: 'the panel to show version 4 at 100%' });
      await expectRouting(sb, 'prod', { version: '4', weights: {} }, 'after Promote in the panel');
    },
  },

  {
    id: 'publish-rollback',
    title: '4. Change the code, publish again, then Roll Back Canary from the context menu',
    async run(ctx) {
      const { wb, sb, workspace } = ctx;
      const handler = path.join(workspace, 'src', 'index.js');
      fs.writeFileSync(handler, fs.readFileSync(handler, 'utf8').replace("release: 'workspace'", "release: 'workspace-2'"));
      const { version } = await publishCanaryFromTree(ctx, 'prod → 4', '10%');
      assert.equal(version, '5');
      await wb.waitForRow('prod → 4 (90%) · 5 (10%)', { description: 'canary' });
      await expectRouting(sb, 'prod', { version: '4', weights: { 5: 0.1 } }, 'after the second Publish Canary');
      assert.equal(JSON.parse((await sb.invoke(FN, '5', SMOKE_EVENT)).payload.body).release, 'workspace-2', 'version 5 runs the changed code');
      await wb.clearNotifications();

      const since = Date.now();
      await wb.contextMenu('prod → 4 (90%) · 5 (10%)', 'Roll Back Canary');
      await wb.answerDialog('Roll Back', { message: 'Roll back the canary of prod?' });
      await wb.waitForRow('prod → 4');
      await wb.waitForNotification(`${FN}: Rolled back: prod → 4 (100%); version 5 gets no traffic.`, { since });
      await expectRouting(sb, 'prod', { version: '4', weights: {} }, 'after Roll Back Canary');
      assert.ok((await sb.versions(FN)).some((v) => v.Version === '5'), 'version 5 stays published');
    },
  },

  {
    id: 'switch-alias',
    title: '5. Palette: Switch Alias… → checkout-api → prod → version 2, then Switch Back',
    async run(ctx) {
      const { wb, sb } = ctx;
      let since = Date.now();
      await wb.runCommand('Lambda Canary: Switch Alias…');
      await wb.pick(FN, { title: 'Switch Alias' });
      await wb.pick('prod', { title: 'Switch Alias' });
      await wb.pick('2', { title: `Switch ${FN}:prod (now 4) to version…` });
      await wb.waitForRow('prod → 2');
      await wb.waitForNotification(`${FN}: Switched prod: 4 → 2.`, { since });
      await expectRouting(sb, 'prod', { version: '2', weights: {} }, 'after Switch Alias');
      await ctx.shot('switched');
      await wb.clearNotifications();

      since = Date.now();
      await wb.runCommand('Lambda Canary: Switch Back');
      await wb.pick(FN, { title: 'Switch Back' });
      await wb.pick('prod', { title: 'Switch Back' });
      await wb.waitForRow('prod → 4');
      await wb.waitForNotification(`${FN}: Switched back prod: 2 → 4.`, { since });
      await expectRouting(sb, 'prod', { version: '4', weights: {} }, 'after Switch Back');
      await expectAliasRowMatchesSandbox(wb, sb, 'prod');
    },
  },

  {
    id: 'bad-weight',
    title: '6. Publish Canary… with a typed weight of 150: the input box says why, nothing changes',
    async run(ctx) {
      const { wb, sb } = ctx;
      const before = { alias: await sb.alias(FN, 'prod'), versions: (await sb.versions(FN)).map((v) => v.Version), latest: (await sb.latest(FN)).RevisionId };
      const since = Date.now();
      await wb.contextMenu('prod → 4', 'Publish Canary…');
      await goOnPastPreflight(wb, 'Publish Canary', FN, 'prod');
      await wb.pick('Other weight…');
      await wb.typeInput('150');
      const expected = 'A canary weight must be less than 100% (got 150%). To send all traffic to the new version, use Promote.';
      await waitFor(async () => (await wb.inputMessage()).includes(expected), { timeout: 10_000, what: 'the validation message', describe: async () => `the input box says "${await wb.inputMessage()}"` });
      await ctx.shot('validation');
      // Enter does not accept an invalid value: the box stays open with its message.
      await wb.page.keyboard.press('Enter');
      await sleep(500);
      assert.ok(await wb.quickInput.isVisible(), 'the input box stays open on Enter');
      assert.ok((await wb.inputMessage()).includes(expected));
      await wb.page.keyboard.press('Escape');
      await wb.quickInput.waitFor({ state: 'hidden' });
      // Give a (wrongly) started deploy the time to show itself, then check that none did.
      await sleep(1500);
      const notes = (await wb.notifications(since)).map((n) => n.text);
      assert.ok(!notes.some((t) => /Publishing a canary|Published version/.test(t)), `no deploy started: ${JSON.stringify(notes)}`);
      const after = { alias: await sb.alias(FN, 'prod'), versions: (await sb.versions(FN)).map((v) => v.Version), latest: (await sb.latest(FN)).RevisionId };
      assert.equal(after.alias.RevisionId, before.alias.RevisionId, 'prod was not written');
      assert.equal(after.alias.FunctionVersion, '4');
      assert.deepEqual(after.alias.RoutingConfig?.AdditionalVersionWeights ?? {}, {});
      assert.deepEqual(after.versions, before.versions, 'no version was published');
      assert.equal(after.latest, before.latest, '$LATEST was not updated');
      await wb.waitForRow('prod → 4');
    },
  },
  {
    id: 'start-canary-from-version',
    title: '7. Right-click version 3 → Start Canary on… → prod → 10 %: staging\'s version tried on prod, nothing uploaded',
    async run(ctx) {
      const { wb, sb } = ctx;
      const versionsBefore = (await sb.versions(FN)).map((v) => v.Version);
      await wb.clearNotifications();
      const since = Date.now();
      await wb.expand('Versions');
      await wb.contextMenu('3', 'Start Canary on…');
      await wb.pick('prod', { title: `Start a canary of version 3 on which alias of ${FN}?` });
      await wb.pick('10%', { title: `Canary of version 3 on ${FN}:prod: weight` });
      await goOnPastPreflight(wb, 'Start Canary', FN, 'prod');
      await wb.answerDialog('Start Canary', { message: 'Send 10% of prod to version 3?' });
      await wb.waitForRow('prod → 4 (90%) · 3 (10%)', { description: 'canary' });
      await wb.waitForNotification(`${FN}: Canary started: 10% of prod goes to version 3 (prod → 4 (90%) · 3 (10%)).`, { since });
      await expectRouting(sb, 'prod', { version: '4', weights: { 3: 0.1 } }, 'after Start Canary on…');
      await expectAliasRowMatchesSandbox(wb, sb, 'prod');
      assert.deepEqual((await sb.versions(FN)).map((v) => v.Version), versionsBefore, 'no version was published');
      await ctx.shot('split');
    },
  },

  {
    id: 'cli-traffic',
    title: '8. The CLI against the same sandbox: `lambda-canary traffic checkout-api:prod` reports the split the view shows',
    async run({ sb, endpoint }) {
      const cli = path.join(ROOT, 'dist', 'cli.js');
      if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: build first (npm run build)`);
      const env = { ...process.env, AWS_ACCESS_KEY_ID: 'e2e', AWS_SECRET_ACCESS_KEY: 'e2e', AWS_REGION: 'us-east-1', LAMBDA_CANARY_JOURNAL_DIR: path.join(ROOT, 'artifacts', 'e2e', 'cli-journal') };
      delete env.AWS_PROFILE;
      const run = (args) => execFileP(process.execPath, [cli, ...args, '--endpoint-url', endpoint], { env, timeout: 60_000 });
      const a = await sb.alias(FN, 'prod');
      assert.deepEqual([a.FunctionVersion, a.RoutingConfig?.AdditionalVersionWeights], ['4', { 3: 0.1 }], 'step 7 left prod → 4 (90%) · 3 (10%)');
      // The demo traffic reaches prod several times a second: both versions have invocations.
      let json;
      await waitFor(
        async () => {
          const { stdout } = await run(['traffic', `${FN}:prod`, '--window', '15m', '--json']);
          json = JSON.parse(stdout);
          return (json.detail?.versions ?? []).find((v) => v.version === '3')?.invocations > 0;
        },
        { timeout: 60_000, what: 'CloudWatch (the sandbox) to count invocations of the canary 3', describe: () => JSON.stringify(json?.detail?.versions?.map((v) => [v.version, v.invocations])) },
      );
      assert.equal(json.action, 'traffic');
      assert.equal(json.state, 'done');
      assert.deepEqual([json.detail.stableVersion, json.detail.canaryVersion, json.detail.canaryWeight], ['4', '3', 0.1]);
      const { stdout, stderr } = await run(['traffic', `${FN}:prod`, '--window', '15m']);
      const lines = stdout.trim().split('\n');
      assert.match(lines[0], new RegExp(`^${FN}:prod — last 15 min \\(period \\d+ s\\): \\d+ invocations, \\d+ throttles\\.$`), stdout);
      assert.ok(lines.some((l) => /^ {2}version 4 \(stable\): \d+ invocations/.test(l)), stdout);
      assert.ok(lines.some((l) => /^ {2}version 3 \(canary\): [1-9]\d* invocations/.test(l)), stdout);
      assert.doesNotMatch(stderr, /NodeVersionSupportWarning/, 'no SDK notice on stderr');
      const show = await run(['show', FN]);
      assert.match(show.stdout, /prod → 4 \(90%\) · 3 \(10%\)/, show.stdout);
    },
  },

  {
    id: 'publish-python',
    title: '9. Publish Canary of the Python SAM sample (workspace-python/template.yaml): its sample event smoke-tests the new version, 10 % of live goes to it',
    async run(ctx) {
      const { wb, sb, pythonWorkspace } = ctx;
      const PY = 'price-quote';
      const event = JSON.parse(fs.readFileSync(path.join(pythonWorkspace, 'events', 'event.json'), 'utf8'));
      await wb.clearNotifications();
      await wb.expand(PY);
      await wb.waitForRow('live → 2');
      const before = (await sb.versions(PY)).map((v) => v.Version);
      const since = Date.now();
      await wb.contextMenu('live → 2', 'Publish Canary…');
      // Nobody configured a test event: the SAM project's events/event.json is offered, once.
      await wb.answerDialog('Use It', { message: /Smoke-test each new version of PriceQuoteFunction with .*events\/event\.json before it gets traffic\?/ });
      await goOnPastPreflight(wb, 'Publish Canary', PY, 'live');
      await wb.pick('10%', { title: `Publish Canary to ${PY}:live: canary weight` });
      await wb.waitForNotification(`Publishing a canary of ${PY}:live`, { since, timeout: 60_000 });
      const done = await wb.waitForNotification(new RegExp(`^${PY}: Published version \\d+\\. `), { since, timeout: 120_000, failOn: /failed|refused|could not/i });
      const added = (await sb.versions(PY)).map((v) => v.Version).filter((v) => !before.includes(v));
      assert.deepEqual(added, ['3'], 'one version published from the template');
      assert.equal(done.text, `${PY}: Published version 3. 10% of live goes to version 3: live → 2 (90%) · 3 (10%).`);
      await wb.waitForRow('live → 2 (90%) · 3 (10%)', { description: 'canary', timeout: 30_000 });
      const a = await sb.alias(PY, 'live');
      assert.deepEqual([a.FunctionVersion, a.RoutingConfig?.AdditionalVersionWeights], ['2', { 3: 0.1 }], 'live routes 10 % to version 3');
      // Version 3 is the template's price_quote/ folder, run by the sandbox's Python runtime.
      const r = await sb.invoke(PY, '3', event);
      assert.equal(r.version, '3');
      const body = JSON.parse(r.payload.body);
      assert.deepEqual([body.release, body.version, body.total], ['workspace', '3', 9], `version 3 runs the workspace's app.py: ${r.payload.body}`);
      await ctx.shot('python-canary');
    },
  },

  {
    id: 'extension-page',
    title: "10. The installed extension's page shows the README's screenshot from the repository (VS Code loads only https images there)",
    async run(ctx) {
      const { wb, page } = ctx;
      const repo = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).repository.url.replace(/\.git$/, '');
      const expected = `${repo}/raw/HEAD/docs/traffic-panel.png`;
      await wb.runCommand('Extensions: Show Installed Extensions');
      const entry = page.locator('.extensions-viewlet .extension-list-item', { hasText: 'Lambda Canary' }).first();
      await waitFor(() => entry.isVisible(), { timeout: 30_000, what: 'Lambda Canary in the installed extensions' });
      await entry.click();
      // The details page renders the README in a webview (an iframe in an iframe). The picture
      // itself cannot load on this offline machine: its address is what is checked.
      let seen = [];
      await waitFor(
        async () => {
          seen = [];
          for (const frame of page.frames()) {
            const imgs = await frame.$$eval('img', (els) => els.map((e) => ({ alt: e.getAttribute('alt') ?? '', src: e.getAttribute('src') ?? '' }))).catch(() => []);
            seen.push(...imgs);
          }
          return seen.some((i) => /traffic panel of checkout-api:prod/.test(i.alt) && i.src === expected);
        },
        { timeout: 30_000, what: `the README's screenshot at ${expected} on the extension's page`, describe: () => JSON.stringify(seen.filter((i) => i.alt)) },
      );
      await ctx.shot('readme');
    },
  },

  {
    id: 'rollout-rollback',
    title: "11. Start Rollout from orders-worker's prod alias menu on version 3 (the demo's bad release): the tree and the panel's timeline show it, then it rolls itself back and says why",
    async run(ctx) {
      const { wb, sb } = ctx;
      const F = 'orders-worker';
      const title = `Start Rollout on ${F}:prod`;
      await wb.runCommand('View: Close All Editors');
      await wb.clearNotifications();
      await wb.openViewContainer('Lambda Canary');
      await wb.expand(F);
      await waitForAliasRow(wb, F, 'prod → 2');
      const since = Date.now();
      await wb.contextMenu('prod → 2', 'Start Rollout…');
      await wb.pick('3', { title });
      // On the sandbox a short plan comes first: the demo's 10 calls/s judge it within seconds.
      await wb.pick('Quick (sandbox)', { title });
      // Where it runs: here (the judge watches it from the editor).
      await wb.pick('Here', { title });
      // The demo's queue mapping calls the unqualified function: the pre-flight says so first.
      await ctx.page.locator('.monaco-dialog-box').waitFor({ state: 'visible', timeout: 30_000 });
      await ctx.shot('rollout-preflight');
      await goOnPastPreflight(wb, 'Start Rollout', F, 'prod');
      await wb.answerDialog('Start Rollout', { message: /Roll out version 3 on prod \(50%@1m, 100%\)\?/ });
      // The bad release is judged within seconds: the row shows the step, unless the rollback
      // came first (then the lease is gone already and the panel is opened from the plain row).
      const running = 'prod → 2 (50%) · 3 (50%) · step 1/2';
      let row = running;
      await waitFor(
        async () => {
          const rows = await aliasRowsOf(wb, F);
          if (rows.includes(running)) return true;
          if (rows.includes('prod → 2') && (await wb.notifications(since)).some((n) => /Rolled back at step 1\/2/.test(n.text))) {
            row = 'prod → 2';
            return true;
          }
          return false;
        },
        { timeout: 30_000, interval: 150, what: `${F}'s prod to show the rollout (or its rollback)`, describe: async () => `the rows show ${JSON.stringify(await aliasRowsOf(wb, F))}` },
      );
      if (row === running) {
        const a = await sb.alias(F, 'prod');
        // Read right after the row: the lease is there unless the rollback has just ended it.
        if (/lambda-canary rollout/.test(a.Description ?? '')) {
          assert.match(a.Description ?? '', /\[lambda-canary rollout [0-9a-f]{8} step 1\/2 by \S+ vscode pid \d+\.[0-9a-f]{4} since \d{8}T\d{6}Z until \d{8}T\d{6}Z\]$/, `the lease is in the alias description: ${a.Description}`);
        }
      } else {
        ctx.log('  (the rollback came before the tree showed the step)');
      }
      await wb.contextMenu(row, 'Open Traffic Panel');
      const view = wb.webview();
      const status = view.locator('#rollout-status');
      const text = (l) => l.innerText({ timeout: 1000 }).catch(() => '');
      // The timeline: two steps, the first in force, or already failed (the bad release is judged within seconds).
      await waitFor(async () => /^(Running · step 1\/2|Rolled back)/.test((await text(status)).trim()), { timeout: 30_000, what: 'the panel to show the rollout', describe: async () => `it reads "${await text(status)}"` });
      assert.equal(await view.locator('#rollout-steps li').count(), 2, 'the plan has two steps: 50 % for 30 s, then the promotion');
      assert.match(await text(view.locator('#rollout-steps li[data-step="2"] .step-head')), /100%.*promotion/);
      // The judge fails it before its bake ends, and the rollout rolls itself back.
      const done = await wb.waitForNotification(/^orders-worker:prod: Rolled back at step 1\/2: canary \d+(\.\d+)?% errors \(\d+\/\d+\) vs stable .*worse beyond chance/, { since, timeout: 60_000 });
      assert.ok(Date.now() - since < 60_000, 'rolled back before the 30 s bake and its metrics were over');
      await expectRoutingOf(sb, F, 'prod', { version: '2', weights: {} }, 'after the rollback');
      await waitForAliasRow(wb, F, 'prod → 2');
      assert.doesNotMatch((await sb.alias(F, 'prod')).Description ?? '', /lambda-canary rollout/, 'the lease is gone from the alias description');
      await waitFor(async () => /^Rolled back — Rolled back at step 1\/2: canary .* errors/.test((await text(status)).trim()), { timeout: 30_000, what: 'the panel to say it rolled back and why', describe: async () => `it reads "${await text(status)}"` });
      assert.match(await text(view.locator('#rollout-steps li[data-step="1"] .badge')), /Fail/);
      assert.match(await text(view.locator('#rollout-steps li[data-step="1"] .sentence')), /worse beyond chance \(SPRT crossed at \d+ samples\)/);
      assert.equal((await text(view.locator('#rollout-steps li[data-step="2"] .badge'))).trim(), 'Not reached');
      ctx.log(`  ${done.text}`);
      await ctx.shot('rollout-rolled-back');
    },
  },

  {
    id: 'cli-rollout',
    title: '12. The CLI rolls out the demo\'s healthy release: `lambda-canary rollout start image-resizer:prod --version 2 --plan "50%@1m, 100%" --wait --yes` exits 0, and the view shows it read-only while it runs',
    async run(ctx) {
      const { wb, sb, endpoint } = ctx;
      const F = 'image-resizer';
      const cli = path.join(ROOT, 'dist', 'cli.js');
      const env = { ...process.env, AWS_ACCESS_KEY_ID: 'e2e', AWS_SECRET_ACCESS_KEY: 'e2e', AWS_REGION: 'us-east-1', LAMBDA_CANARY_JOURNAL_DIR: path.join(ROOT, 'artifacts', 'e2e', 'cli-journal') };
      delete env.AWS_PROFILE;
      await wb.expand(F);
      await waitForAliasRow(wb, F, 'prod → 1');
      const started = Date.now();
      const run = execFileP(process.execPath, [cli, 'rollout', 'start', `${F}:prod`, '--version', '2', '--plan', '50%@1m, 100%', '--wait', '--yes', '--endpoint-url', endpoint], { env, timeout: 180_000 });
      // The editor knows nothing of it but the lease on the alias: shown read-only once the view
      // reads the alias again (Refresh).
      await waitForAliasRow(wb, F, 'prod → 1 (50%) · 2 (50%) · step 1/2', { refresh: true });
      const { stdout, stderr } = await run; // rejects on a non-zero exit
      assert.match(stderr, /^step 1\/2: 50% on version 2$/m, stderr);
      assert.match(stderr, /^Pass: canary .* errors \(\d+\/\d+\) vs stable .*not worse \(SPRT accepted at \d+ samples\)/m, stderr);
      assert.match(stdout, /image-resizer:prod: Promoted .*prod serves version 2/, stdout);
      await expectRoutingOf(sb, F, 'prod', { version: '2', weights: {} }, 'after the CLI rollout');
      await waitForAliasRow(wb, F, 'prod → 2', { refresh: true });
      ctx.log(`  promoted by the CLI in ${Math.round((Date.now() - started) / 1000)} s`);
    },
  },

  {
    id: 'triggers-route',
    title: "13. orders-worker ▸ Triggers flags the demo's SQS mapping that bypasses prod (⚠); Route Through Alias from its context menu moves it onto prod, and the flag goes (✓ through prod)",
    async run(ctx) {
      const { wb, sb } = ctx;
      const F = 'orders-worker';
      const bypassing = (await sb.mappings(F)).filter((m) => !/:prod$/.test(m.FunctionArn ?? ''));
      assert.equal(bypassing.length, 1, `the demo has one ${F} mapping that does not call prod: ${JSON.stringify((await sb.mappings(F)).map((m) => m.FunctionArn))}`);
      const mapping = bypassing[0];
      const count = (await sb.mappings(F)).length;
      const queue = mapping.EventSourceArn.split(':').pop();
      await wb.runCommand('View: Close All Editors');
      await wb.clearNotifications();
      await wb.openViewContainer('Lambda Canary');
      // Only orders-worker in the view: every function has a Triggers group.
      await wb.runCommand('Lambda Canary: Filter Functions…');
      await wb.typeInput(F);
      await ctx.page.keyboard.press('Enter');
      await wb.waitForNoRow('checkout-api');
      await wb.expand(F);
      await wb.expand('Triggers');
      const flagged = await waitFor(async () => (await wb.treeRows()).find((r) => r.level === 3 && r.label.includes(queue) && /^⚠ bypasses — /.test(r.description)), {
        what: `a trigger row for queue ${queue} flagged ⚠ bypasses`,
        describe: () => wb.describeTree(),
      });
      assert.match(flagged.description, /^⚠ bypasses — (\$LATEST|version \d+)/);
      await ctx.shot('triggers-bypass');
      const since = Date.now();
      await wb.contextMenu(flagged.label, 'Route Through Alias');
      await wb.answerDialog('Route Through Alias', { message: /Route .+ through prod\?/ });
      const done = await wb.waitForNotification(/now goes through prod/, { since, timeout: 60_000, failOn: /^(Could not|Lambda Canary: )|conflict|failed/i });
      let now;
      await waitFor(async () => /:function:orders-worker:prod$/.test((now = await sb.mapping(mapping.UUID)).FunctionArn ?? ''), {
        timeout: 30_000,
        what: 'the sandbox to show the mapping on prod',
        describe: async () => JSON.stringify([now?.FunctionArn, now?.State]),
      });
      assert.equal(now.EventSourceArn, mapping.EventSourceArn, 'the same queue');
      assert.equal((await sb.mappings(F)).length, count, 'moved, not copied: no mapping appeared or went');
      await wb.waitForRow(flagged.label, { description: '✓ through prod' });
      assert.ok(!(await wb.treeRows()).some((r) => r.level === 3 && r.label.includes(queue) && /^⚠/.test(r.description)), 'the flag is gone');
      ctx.log(`  ${done.text}`);
      await ctx.shot('triggers-routed');
      await wb.runCommand('Lambda Canary: Clear Filter');
    },
  },

  {
    id: 'codedeploy-rollout',
    title: "14. Start Rollout on orders-worker's prod handed to CodeDeploy: the tree and the panel show CodeDeploy stepping it (its weight and lifecycle events), Stop and roll back from the panel puts prod back on version 2",
    async run(ctx) {
      const { wb, sb } = ctx;
      const F = 'orders-worker';
      const title = `Start Rollout on ${F}:prod`;
      await wb.runCommand('View: Close All Editors');
      await wb.clearNotifications();
      await wb.openViewContainer('Lambda Canary');
      await wb.expand(F);
      await waitForAliasRow(wb, F, 'prod → 2');
      const since = Date.now();
      await wb.contextMenu('prod → 2', 'Start Rollout…');
      await wb.pick('3', { title });
      // A canary of 30 CodeDeploy minutes: a minute of the demo's sandbox lasts 2 s, so it holds a minute.
      await wb.pick('Canary10Percent30Minutes', { title });
      await wb.pick('CodeDeploy', { title });
      // The pre-flight may ask first (a trigger that bypasses prod); then the confirmation of what CodeDeploy gets.
      const dialog = ctx.page.locator('.monaco-dialog-box');
      await dialog.waitFor({ state: 'visible', timeout: 30_000 });
      if (/bypass/.test(await dialog.innerText())) await wb.answerDialog('Go On');
      await wb.answerDialog('Start CodeDeploy Rollout', { message: /Hand the rollout of version 3 on prod to CodeDeploy\?[\s\S]*deployment group orders-worker-prod[\s\S]*CodeDeployDefault\.LambdaCanary10Percent30Minutes \(predefined\)/ });
      await ctx.shot('codedeploy-confirmed');
      await waitForAliasRow(wb, F, 'prod → 2 (90%) · 3 (10%) · CodeDeploy step 1/2');
      await expectRoutingOf(sb, F, 'prod', { version: '2', weights: { 3: 0.1 } }, 'CodeDeploy shifting');
      await wb.contextMenu('prod → 2 (90%) · 3 (10%) · CodeDeploy step 1/2', 'Open Traffic Panel');
      const view = wb.webview();
      const text = (l) => l.innerText({ timeout: 1000 }).catch(() => '');
      await waitFor(async () => /^Running on CodeDeploy · step 1\/2/.test((await text(view.locator('#rollout-status'))).trim()), { timeout: 30_000, what: 'the panel to show the CodeDeploy rollout', describe: async () => `it reads "${await text(view.locator('#rollout-status'))}"` });
      const id = (await text(view.locator('#codedeploy-id'))).trim();
      assert.match(id, /^d-[A-Z0-9]+$/, `the deployment id: ${id}`);
      await waitFor(async () => (await text(view.locator('#codedeploy-weight-value'))).trim() === '10 %', { timeout: 30_000, what: 'the weight CodeDeploy set', describe: async () => `it reads "${await text(view.locator('#codedeploy-weight-value'))}"` });
      await waitFor(async () => (await view.locator('#codedeploy-lifecycle tr[data-event="AllowTraffic"]').count()) === 1, { timeout: 30_000, what: 'the AllowTraffic lifecycle event in the panel' });
      assert.equal(await view.locator('#rollout-pause').count(), 0, 'no local controls: CodeDeploy steps it');
      await ctx.shot('codedeploy-panel');
      const stopped = Date.now();
      await view.locator('#codedeploy-stop-rollback').click();
      await wb.answerDialog('Stop and Roll Back', { message: new RegExp(`Stop and Roll Back: CodeDeploy deployment ${id} on prod\\?`) });
      await expectRoutingOf(sb, F, 'prod', { version: '2', weights: {} }, 'after Stop and roll back');
      await waitFor(async () => /^Rolled back on CodeDeploy/.test((await text(view.locator('#rollout-status'))).trim()), { timeout: 30_000, what: 'the panel to say it was rolled back', describe: async () => `it reads "${await text(view.locator('#rollout-status'))}"` });
      await waitForAliasRow(wb, F, 'prod → 2');
      ctx.log(`  CodeDeploy deployment ${id} stopped and rolled back in ${Math.round((Date.now() - stopped) / 1000)} s (started ${Math.round((stopped - since) / 1000)} s before)`);
      await ctx.shot('codedeploy-rolled-back');
    },
  },

  {
    id: 'history-return',
    title: "15. checkout-api's prod history in the traffic panel: the earlier steps' publishes, promotion and rollbacks (by lambda-canary, with CloudTrail's status); Return to This State on the promotion puts prod back on version 4 alone",
    async run(ctx) {
      const { wb, sb } = ctx;
      await wb.runCommand('View: Close All Editors');
      await wb.clearNotifications();
      await wb.openViewContainer('Lambda Canary');
      await wb.expand(FN);
      // Step 7 left prod → 4 (90%) · 3 (10%).
      const row = 'prod → 4 (90%) · 3 (10%)';
      await waitForAliasRow(wb, FN, row);
      await wb.contextMenu(row, 'Open Traffic Panel');
      const view = wb.webview();
      const text = (l) => l.innerText({ timeout: 1000 }).catch(() => '');
      const rows = view.locator('#history-table tbody tr[data-entry-id]');
      const describe = async () => `the section reads ${JSON.stringify(await text(view.locator('#history')))}`;
      await waitFor(async () => (await view.locator('#history-table tbody tr[data-action="promote"]').count()) === 1 && (await view.locator('#history-table tbody tr[data-action="rollback"]').count()) >= 2, {
        timeout: 60_000,
        what: "the History section to list step 3's promotion and the rollbacks of steps 2 and 4",
        describe,
      });
      assert.match(await text(view.locator('#history-status')), /CloudTrail/, 'the CloudTrail status line is above the rows');
      const actions = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-action')));
      // Newest first: step 7's canary, step 5's switch back and switch, step 4's rollback and publish, step 3's promotion, step 2's publish and the demo canary's rollback.
      const order = ['canary', 'switch-back', 'switch', 'rollback', 'deploy', 'promote', 'deploy', 'rollback'];
      const seen = actions.filter((a) => order.includes(a));
      assert.deepEqual(seen.slice(0, order.length), order, `the journal's actions newest first: ${JSON.stringify(actions)}`);
      const promote = view.locator('#history-table tbody tr[data-action="promote"]');
      assert.match(await text(promote.locator('td.who')), /lambda-canary/, 'who: lambda-canary');
      assert.match(await text(promote.locator('td.what')), /2 \(90%\) · 4 \(10%\) → 4/, 'what: the routing before → after');
      assert.match(await text(promote.locator('td.ended')), /^done/);
      assert.match(await text(view.locator('#history-table tbody tr[data-action="deploy"] td.what').first()), /version 5 published/);
      await view.locator('#history').scrollIntoViewIfNeeded();
      await ctx.shot('history');
      const since = Date.now();
      await promote.locator('button.history-return').click();
      await wb.answerDialog('Return to This State', { message: `Return ${FN}:prod to 4?` });
      await expectRouting(sb, 'prod', { version: '4', weights: {} }, 'after Return to This State');
      await wb.waitForRow('prod → 4');
      await wb.waitForNotification(new RegExp(`^${FN}: Returned prod to its state of .+: prod → 4 \\(it routed 4 \\(90%\\) · 3 \\(10%\\)\\)\\.$`), { since });
      // The section reads the journal's new record: the return, newest first.
      await waitFor(async () => (await rows.first().getAttribute('data-action', { timeout: 1000 }).catch(() => '')) === 'return', { timeout: 30_000, what: 'the return at the top of the History section', describe });
      await expectAliasRowMatchesSandbox(wb, sb, 'prod');
      await view.locator('#history').scrollIntoViewIfNeeded();
      await ctx.shot('history-returned');
    },
  },

  {
    id: 'release-abort',
    title: '16. Publish Release… of the shop folder (three functions, one SAM template) through "50%@10m, 100%": published with no traffic, then every prod at 50 % together; the Releases node and the release panel show it; Abort Release from its row puts every prod back on version 1',
    async run(ctx) {
      const { wb, sb, page } = ctx;
      const SHOP = ['shop-orders-api', 'shop-payments', 'shop-notifications'];
      const FOLDER = 'shop (three functions, one release)';
      for (const f of SHOP) {
        const r = await sb.routing(f, 'prod');
        assert.deepEqual({ version: r.version, weights: r.weights }, { version: '1', weights: {} }, `the demo seeds ${f}:prod → 1`);
      }
      await wb.runCommand('View: Close All Editors');
      await wb.clearNotifications();
      await wb.openViewContainer('Lambda Canary');
      await wb.runCommand('Lambda Canary: Publish Release…');
      await wb.pick(FOLDER, { title: 'Publish Release' });
      const title = `Publish Release of ${FOLDER}/template.yaml`;
      await wb.pick('Type a plan…', { title });
      await wb.typeInput('50%@10m, 100%');
      await page.keyboard.press('Enter');
      await wb.answerDialog('Publish Release', { message: `Release 3 functions of ${FOLDER}/template.yaml through 50%@10m, 100%?` });
      // Published first, with no traffic; then the three aliases move together.
      for (const f of SHOP) await expectRoutingOf(sb, f, 'prod', { version: '1', weights: { 2: 0.5 } }, 'step 1 of the release');
      const release = await wb.waitForRow(/^shop \(three functions, one release\)\/template\.yaml · [0-9a-f]+$/, { description: /^running/, timeout: 30_000 });
      const id = release.label.split(' · ').pop();
      await waitFor(async () => (await wb.editorTabs()).some((t) => t.includes(`Release ${id}`)), { timeout: 30_000, what: 'the release panel tab', describe: async () => `tabs: ${JSON.stringify(await wb.editorTabs())}` });
      const view = wb.webview();
      const text = (l) => l.innerText({ timeout: 1000 }).catch(() => '');
      await waitFor(async () => (await text(view.locator('#members'))).includes('shop-payments'), { timeout: 30_000, what: 'the panel to list the functions', describe: async () => `it reads ${JSON.stringify(await text(view.locator('#app')))}` });
      const members = await text(view.locator('#members'));
      for (const f of SHOP) assert.ok(members.includes(f), `the panel lists ${f}: ${members}`);
      await ctx.shot('release-running');
      await wb.expand(release.label);
      for (const f of SHOP) await wb.waitForRow(`${f}:prod`, { description: /50%/ });
      const since = Date.now();
      await wb.contextMenu(release.label, 'Abort Release');
      await wb.answerDialog('Abort', { message: new RegExp(`Abort release ${id} `) });
      for (const f of SHOP) await expectRoutingOf(sb, f, 'prod', { version: '1', weights: {} }, 'after Abort Release');
      await wb.waitForNotification(new RegExp(`^Release ${id} \\(.+\\): Aborted by `), { since, timeout: 30_000 });
      await wb.waitForRow(release.label, { description: /^aborted/ });
      // Version 2 of each stays published, with no traffic: a later release or canary can use it.
      for (const f of SHOP) assert.ok((await sb.versions(f)).some((v) => v.Version === '2'), `${f} keeps version 2`);
      await ctx.shot('release-aborted');
    },
  },

  {
    id: 'router',
    title: "17. Remove Router on the demo's router of checkout-api's prod, then Create Router… on prod from the tree (the group x-canary-group = beta to version 5, the rest to 4): its row under prod; requests through its alias with the header answer from 5, without it from 4; Remove Router deletes it",
    async run(ctx) {
      const { wb, sb } = ctx;
      const ROUTER = `${FN}-router`;
      const ROLE = 'arn:aws:iam::123456789012:role/checkout-router';
      await wb.runCommand('View: Close All Editors');
      await wb.clearNotifications();
      await wb.openViewContainer('Lambda Canary');
      await wb.expand(FN);
      // Step 15 left prod → 4 alone; version 5 (step 7's) is the canary the router sends the group to.
      const row = 'prod → 4';
      await waitForAliasRow(wb, FN, row);
      // The demo's own router (beta and a sticky 10 % on versions 2 and 3) goes first: Remove Router
      // recognises it as one the product made, and the alias is free for a new one.
      await wb.expand(row);
      await wb.waitForRow(`${ROUTER}:prod`, { timeout: 30_000 });
      const demoRemoved = Date.now();
      await wb.contextMenu(`${ROUTER}:prod`, 'Remove Router');
      await wb.answerDialog('Remove Router', { message: new RegExp(`Remove router ${ROUTER}:prod from in front of ${FN}:prod\\?`) });
      await wb.waitForNotification(new RegExp(`Removed router ${ROUTER}:prod`), { since: demoRemoved, timeout: 60_000 });
      await wb.waitForNoRow(`${ROUTER}:prod`);
      await assert.rejects(sb.latest(ROUTER), (err) => err.name === 'ResourceNotFoundException', `the demo's ${ROUTER} is deleted`);
      await wb.clearNotifications();
      const since = Date.now();
      await wb.contextMenu(row, 'Create Router…');
      await wb.pick('5', { title: /^Create Router: which version is the canary\? \(prod serves 4\)$/ });
      const title = new RegExp(`^Create Router for ${FN}:prod$`);
      await wb.pick('Group', { title });
      await wb.pick('Header', { title });
      await wb.typeInput('x-canary-group');
      await ctx.page.keyboard.press('Enter');
      await wb.typeInput('beta');
      await ctx.page.keyboard.press('Enter');
      await wb.typeInput(ROLE);
      await ctx.page.keyboard.press('Enter');
      await wb.answerDialog('Create Router', { message: new RegExp(`Create router ${ROUTER}:prod in front of ${FN}:prod\\?[\\s\\S]*header x-canary-group is one of beta → version 5[\\s\\S]*Everything else → version 4[\\s\\S]*two invocations`) });
      await wb.waitForNotification(new RegExp(`Created router ${ROUTER}:prod \\(version 1\\) in front of prod`), { since, timeout: 60_000 });
      await ctx.shot('router-created');
      // Its row under prod, read when prod is expanded.
      await wb.expand(row);
      await wb.waitForRow(`${ROUTER}:prod`, { description: 'beta → 5, others → 4', timeout: 30_000 });
      // Requests through the router's alias, as API Gateway's HTTP API sends them.
      const event = (headers) => ({
        version: '2.0',
        routeKey: '$default',
        rawPath: '/checkout',
        rawQueryString: '',
        headers: { 'content-type': 'application/json', ...headers },
        requestContext: { http: { method: 'POST', path: '/checkout', sourceIp: '203.0.113.7' }, stage: '$default' },
        body: JSON.stringify(SMOKE_EVENT),
        isBase64Encoded: false,
      });
      const answered = { beta: [], other: [] };
      for (let i = 0; i < 5; i++) {
        answered.beta.push((await sb.invoke(ROUTER, 'prod', event({ 'x-canary-group': 'beta' }))).payload?.headers?.['x-canary-version']);
        answered.other.push((await sb.invoke(ROUTER, 'prod', event({}))).payload?.headers?.['x-canary-version']);
      }
      assert.deepEqual(answered, { beta: ['5', '5', '5', '5', '5'], other: ['4', '4', '4', '4', '4'] }, 'the group goes to 5, the rest to 4');
      ctx.log(`  router ${ROUTER}:prod: 5 requests with x-canary-group: beta answered by ${answered.beta.join(',')}, 5 without by ${answered.other.join(',')}`);
      // Remove Router, from its row: the function goes, checkout-api stays as it was.
      await wb.clearNotifications();
      const removed = Date.now();
      await wb.contextMenu(`${ROUTER}:prod`, 'Remove Router');
      await wb.answerDialog('Remove Router', { message: new RegExp(`Remove router ${ROUTER}:prod from in front of ${FN}:prod\\?[\\s\\S]*Then deleted: the function ${ROUTER}[\\s\\S]*Stays: ${FN}`) });
      await wb.waitForNotification(new RegExp(`Removed router ${ROUTER}:prod`), { since: removed, timeout: 60_000 });
      await wb.waitForNoRow(`${ROUTER}:prod`);
      await assert.rejects(sb.latest(ROUTER), (err) => err.name === 'ResourceNotFoundException', `${ROUTER} is deleted`);
      await expectRouting(sb, 'prod', { version: '4', weights: {} }, 'after Remove Router');
      await ctx.shot('router-removed');
    },
  },

  {
    id: 'walkthrough',
    title: '18. Help: Welcome (the Get Started page) lists the walkthrough; the earlier steps marked Publish a canary, Watch it in the traffic panel, Start a rollout and Roll back done; Select Connection from its Connect step marks that one done',
    async run(ctx) {
      const { wb, page, endpoint } = ctx;
      await wb.runCommand('View: Close All Editors');
      await wb.clearNotifications();
      await wb.runCommand('Help: Welcome');
      const entry = page.locator('.gettingStartedContainer .getting-started-category', { hasText: WALKTHROUGH_TITLE }).first();
      await entry.waitFor({ timeout: 30_000 });
      await entry.click();
      const shown = await expectWalkthroughShown(page);
      const done = (title) => shown.find((x) => x.title === title)?.done;
      // Done by what steps 2–16 did: a published canary, the traffic panel, a rollout, its rollback.
      for (const title of ['Publish a canary', 'Watch it in the traffic panel', 'Start a rollout', 'Roll back']) assert.equal(done(title), true, `"${title}" is done: ${JSON.stringify(shown)}`);
      assert.equal(done('Connect'), false, `"Connect" is not done before a connection was chosen: ${JSON.stringify(shown)}`);
      await ctx.shot('walkthrough-progress');
      // Connect, from the step's own button: Select Connection → Custom endpoint… → the sandbox's address.
      const step = page.locator('.gettingStartedContainer button.getting-started-step', { has: page.locator('.step-title', { hasText: /^Connect$/ }) });
      await step.click();
      const button = page.locator('.gettingStartedContainer .step-description-container').getByText('Select Connection', { exact: true });
      await button.waitFor({ state: 'visible' });
      await button.click();
      await wb.pick(/Custom endpoint…/, { title: 'Lambda Canary: connect to' });
      await wb.typeInput(endpoint);
      await page.keyboard.press('Enter');
      await waitFor(async () => (await walkthroughSteps(page)).find((x) => x.title === 'Connect')?.done === true, { timeout: 15_000, what: 'the Connect step to be marked done', describe: async () => JSON.stringify(await walkthroughSteps(page)) });
      await waitFor(async () => (await wb.statusBarText()).includes(endpoint), { what: `the status bar to show ${endpoint}` });
      await ctx.shot('walkthrough-connected');
    },
  },
];
