/** `lambda-canary`: the process around runCli — its streams, Ctrl+C, and the exit code. */
import { setMaxListeners } from 'node:events';
import { progressText } from './messages';
import { runCli } from './run';

// The AWS SDK warns on every run under Node 20 that its releases from 2027 need Node 22: a
// notice for whoever upgrades this package's SDK (package.json "engines" says what it needs),
// not for the user of a command. A user who set the variable keeps their choice.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const controller = new AbortController();
// A probe's concurrent invocations each listen to it.
setMaxListeners(100, controller.signal);
process.on('SIGINT', () => {
  if (controller.signal.aborted) process.exit(130);
  process.stderr.write(`\n${progressText.cancelling}\n`);
  controller.abort();
});
// A reader that went away (`lambda-canary list | head`) is not an error of ours.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
});

void runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  isTTY: process.stdin.isTTY === true && process.stderr.isTTY === true,
  signal: controller.signal,
}).then((code) => {
  // Exit once the output is written rather than when the event loop drains: an idle worker
  // thread (the sandbox's unpacker lingers for seconds) must not hold the shell up.
  process.exitCode = code;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
});
