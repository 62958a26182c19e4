import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gitDescription } from '../../src/core/git';

/** Runs git in `cwd` isolated from the user's and the system's git config. */
function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_CONFIG_GLOBAL: os.devNull,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: 'Test',
      GIT_AUTHOR_EMAIL: 'test@example.com',
      GIT_COMMITTER_NAME: 'Test',
      GIT_COMMITTER_EMAIL: 'test@example.com',
    },
  }).trim();
}

describe('gitDescription', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-git-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is undefined outside a git work tree', async () => {
    assert.equal(await gitDescription(dir), undefined);
    assert.equal(await gitDescription(path.join(dir, 'missing')), undefined);
  });

  it('is undefined in a repository without commits', async () => {
    git(dir, 'init', '-q');
    assert.equal(await gitDescription(dir), undefined);
  });

  it('names the commit, and says (dirty) once a file changes', async () => {
    git(dir, 'init', '-q');
    fs.mkdirSync(path.join(dir, 'fn'));
    fs.mkdirSync(path.join(dir, 'other'));
    fs.writeFileSync(path.join(dir, 'fn', 'index.js'), 'exports.handler = async () => 1;\n');
    fs.writeFileSync(path.join(dir, 'other', 'a.txt'), 'a\n');
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'first');
    const head = git(dir, 'rev-parse', 'HEAD');

    const clean = await gitDescription(dir);
    assert.match(clean ?? '', /^git [0-9a-f]{12}$/);
    assert.equal(clean, `git ${head.slice(0, 12)}`);
    assert.equal(await gitDescription(path.join(dir, 'fn')), clean);

    fs.writeFileSync(path.join(dir, 'fn', 'index.js'), 'exports.handler = async () => 2;\n');
    assert.equal(await gitDescription(dir), `${clean} (dirty)`);
    assert.equal(await gitDescription(path.join(dir, 'fn')), `${clean} (dirty)`);
    // Only the folder's own changes count.
    assert.equal(await gitDescription(path.join(dir, 'other')), clean);
  });

  it('counts an untracked file as dirty', async () => {
    git(dir, 'init', '-q');
    fs.writeFileSync(path.join(dir, 'a.js'), '1');
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'first');
    fs.writeFileSync(path.join(dir, 'b.js'), '2');
    assert.match((await gitDescription(dir)) ?? '', /^git [0-9a-f]{12} \(dirty\)$/);
  });
});
