import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { unzipSync } from 'fflate';
import { packageFolder } from '../../src/core/packaging';
import { refuses } from '../unit/packagingAssert';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/runtimes');


describe('packaging checks the handler by runtime (the fixture folders of test/fixtures/runtimes)', () => {
  let tmp: string;
  /** A copy of a fixture folder, to change without touching the fixture. */
  const copy = (name: string): string => {
    const dir = path.join(tmp, name);
    fs.cpSync(path.join(FIXTURES, name), dir, { recursive: true });
    return dir;
  };
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-runtimes-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('packages a Python folder for app.lambda_handler and for a nested module, with no note', async () => {
    const root = copy('python');
    const pkg = await packageFolder(root, { runtime: 'python3.12', handler: 'app.lambda_handler' });
    assert.deepEqual(pkg.notes, []);
    assert.deepEqual(Object.keys(unzipSync(new Uint8Array(pkg.zip))).sort(), ['app.py', 'helpers/__init__.py', 'helpers/greeting.py', 'requirements.txt']);
    const nested = await packageFolder(root, { runtime: 'python3.13', handler: 'helpers.greeting.handler' });
    assert.equal(nested.sha256, pkg.sha256, 'the same files, the same package');
  });

  it('refuses a Python folder without the handler module, naming the file and the folder', async () => {
    const root = copy('python');
    fs.rmSync(path.join(root, 'app.py'));
    await refuses(root, new RegExp(`^The handler 'app\\.lambda_handler' needs app\\.py in ${root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, and none is there\\. Check Handler and the code folder\\.$`), { runtime: 'python3.12', handler: 'app.lambda_handler' });
    // An ignored module is not in the package either.
    await refuses(copy('python'), /needs helpers\/greeting\.py/, { runtime: 'python3.12', handler: 'helpers.greeting.handler', ignore: ['helpers/greeting.py'] });
  });

  it('packages a provided.al2023 folder with an executable bootstrap, executable in the zip', async function () {
    if (process.platform === 'win32') this.skip();
    const root = copy('go-provided');
    const pkg = await packageFolder(root, { runtime: 'provided.al2023', handler: 'bootstrap' });
    assert.deepEqual(pkg.notes, []);
    // The central directory's external attributes of the only entry: mode 100755.
    const cd = pkg.zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    assert.equal((pkg.zip.readUInt32LE(cd + 38) >>> 16).toString(8), '100755');
  });

  it('refuses a bootstrap without the executable bit, and a custom-runtime folder without bootstrap (POSIX)', async function () {
    if (process.platform === 'win32') this.skip();
    const root = copy('go-provided');
    fs.chmodSync(path.join(root, 'bootstrap'), 0o644);
    await refuses(root, /^bootstrap in .* is not executable: Lambda could not start it on provided\.al2023\. Make it executable \(chmod \+x bootstrap\)/, { runtime: 'provided.al2023', handler: 'bootstrap' });
    fs.renameSync(path.join(root, 'bootstrap'), path.join(root, 'main'));
    fs.chmodSync(path.join(root, 'main'), 0o755);
    await refuses(root, /The runtime provided\.al2023 starts the executable file bootstrap at the root of the package/, { runtime: 'provided.al2023' });
  });

  it('packages a Java folder whose jar is in lib/, with a note that its classes were not inspected', async () => {
    const root = copy('java');
    const pkg = await packageFolder(root, { runtime: 'java21', handler: 'com.example.App::handleRequest' });
    assert.deepEqual(pkg.notes, ['Java: com/example/App.class is not in the package, but a jar is in lib/ (lib/hello-world-1.0.jar); its classes were not inspected.']);
    // Without the jar, the class itself is needed.
    fs.writeFileSync(path.join(root, 'log4j2.xml'), '<Configuration/>\n');
    await refuses(root, /needs the class com\/example\/App\.class \(or a \.jar at the root or in lib\/\)/, { runtime: 'java21', handler: 'com.example.App::handleRequest', ignore: ['lib/**'] });
  });

  it('packages a .NET folder holding the assembly, and refuses another assembly name', async () => {
    const pkg = await packageFolder(copy('dotnet'), { runtime: 'dotnet8', handler: 'HelloWorld::HelloWorld.Function::FunctionHandler' });
    assert.deepEqual(pkg.notes, []);
    await refuses(copy('dotnet'), /'Other::Other\.Function::Handle' needs the assembly Other\.dll/, { runtime: 'dotnet8', handler: 'Other::Other.Function::Handle' });
  });

  it('an unknown or missing runtime is packaged with a note, never refused by the Node.js rule', async () => {
    const root = copy('python');
    const unknown = await packageFolder(root, { runtime: 'cobol1', handler: 'app.lambda_handler' });
    assert.deepEqual(unknown.notes, ["No code check for runtime cobol1: the package was not checked for its handler 'app.lambda_handler'."]);
    const missing = await packageFolder(root, { handler: 'app.lambda_handler' });
    assert.match(missing.notes.join(), /runtime is not known/);
    // The Node.js rule still holds for Node.js.
    await refuses(root, /'app\.lambda_handler' needs app\.js or app\.mjs or app\.cjs/, { runtime: 'nodejs20.x', handler: 'app.lambda_handler' });
  });
});
