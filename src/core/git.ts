import { execFile } from 'node:child_process';

function git(args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, timeout: 10_000, windowsHide: true }, (err, stdout) => (err ? reject(err) : resolve(stdout.trim())));
  });
}

/**
 * `git 1a2b3c4d5e6f` or `git 1a2b3c4d5e6f (dirty)` for a folder inside a git work tree;
 * undefined elsewhere (or when git is not installed).
 */
export async function gitDescription(dir: string): Promise<string | undefined> {
  try {
    const commit = await git(['rev-parse', '--short=12', 'HEAD'], dir);
    const status = await git(['status', '--porcelain', '--', '.'], dir);
    return `git ${commit}${status ? ' (dirty)' : ''}`;
  } catch {
    return undefined;
  }
}
