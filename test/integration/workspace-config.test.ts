import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CONFIG_FILE, createConfigFile, parseConfigFile } from '../../src/core/workspace';
import { useSandbox } from './helpers';
import { createFn } from './lambda-testkit';

describe('createConfigFile (Open Function Config for a deployed function), real SDK ↔ sandbox', () => {
  const h = useSandbox({ updateDelayMs: 0 });
  let root: string;
  beforeEach(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-config-'))));
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("writes lambda-canary.json with the function's deployed handler", async () => {
    await createFn(h().lambda, 'cfg-fn', { Handler: 'src/app.main' });
    const file = await createConfigFile(h().lambda, root, 'cfg-fn');
    assert.equal(file, path.join(root, CONFIG_FILE));
    const cfg = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    assert.equal(cfg.functionName, 'cfg-fn');
    assert.equal(cfg.handler, 'src/app.main');
    assert.equal(cfg.alias, 'prod');
    // What it writes passes the product's own schema check.
    assert.equal(parseConfigFile(file, fs.readFileSync(file, 'utf8'), root).functionName, 'cfg-fn');
  });

  it('never overwrites an existing file', async () => {
    await createFn(h().lambda, 'cfg-keep');
    fs.writeFileSync(path.join(root, CONFIG_FILE), '{"functionName":"mine"}');
    await assert.rejects(createConfigFile(h().lambda, root, 'cfg-keep'), { code: 'EEXIST' });
    assert.equal(fs.readFileSync(path.join(root, CONFIG_FILE), 'utf8'), '{"functionName":"mine"}');
  });

  it('an unknown function is ResourceNotFoundException and writes nothing', async () => {
    await assert.rejects(createConfigFile(h().lambda, root, 'cfg-missing'), { name: 'ResourceNotFoundException' });
    assert.equal(fs.existsSync(path.join(root, CONFIG_FILE)), false);
  });
});
