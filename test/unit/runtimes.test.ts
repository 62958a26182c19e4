import * as assert from 'node:assert/strict';
import type { CodeCheck, PackagedFile } from '../../src/core/runtimes';
import { checkCode, dotnetAssemblyFile, handlerModuleCandidates, javaClassFile, pythonModuleCandidates, rubyFileCandidates, runtimeFamily } from '../../src/core/runtimes';

const FILE = 0o100644;
const EXEC = 0o100755;
const files = (...rels: string[]): PackagedFile[] => rels.map((rel) => ({ rel, mode: FILE }));
const check = (runtime: string | undefined, handler: string | undefined, have: PackagedFile[], platform: NodeJS.Platform = 'linux'): CodeCheck =>
  checkCode({ runtime, handler, files: have, root: '/ws/src', platform });
const passes = (c: CodeCheck, notes: RegExp[] = []) => {
  assert.equal(c.refusal, undefined, c.refusal);
  assert.equal(c.notes.length, notes.length, c.notes.join(' | '));
  notes.forEach((n, i) => assert.match(c.notes[i], n));
};
const refuses = (c: CodeCheck, message: RegExp) => {
  assert.ok(c.refusal, `expected a refusal, got notes: ${c.notes.join(' | ')}`);
  assert.match(c.refusal, message);
};

describe('runtimes: what a package must hold for its handler, by runtime family', () => {
  it('puts each runtime in its family, and knows nothing of the others', () => {
    const cases: Array<[string, string | undefined]> = [
      ['nodejs20.x', 'Node.js'], ['nodejs24.x', 'Node.js'], ['python3.12', 'Python'], ['python2.7', 'Python'],
      ['ruby3.3', 'Ruby'], ['java21', 'Java'], ['java8.al2', 'Java'], ['dotnet8', '.NET'], ['dotnetcore3.1', '.NET'],
      ['provided', 'custom runtime'], ['provided.al2', 'custom runtime'], ['provided.al2023', 'custom runtime'],
      ['go1.x', 'Go (go1.x)'], ['providedx', undefined], ['cobol1', undefined], ['', undefined],
    ];
    for (const [runtime, family] of cases) assert.equal(runtimeFamily(runtime), family, runtime);
  });

  describe('Node.js', () => {
    it('keeps the file.export rule and its messages', () => {
      assert.deepEqual(handlerModuleCandidates('src/app.handler'), ['src/app.js', 'src/app.mjs', 'src/app.cjs']);
      passes(check('nodejs20.x', 'src/app.handler', files('src/app.mjs')));
      refuses(check('nodejs20.x', 'index.handler', files('main.js')), /^The handler 'index\.handler' needs index\.js or index\.mjs or index\.cjs in \/ws\/src, and none is there\. Check Handler and the code folder\.$/);
      refuses(check('nodejs22.x', 'index', files('index.js')), /'index' is not of the form file\.export/);
      // The Python module is no Node.js module.
      refuses(check('nodejs20.x', 'app.lambda_handler', files('app.py')), /needs app\.js/);
    });
  });

  describe('Python', () => {
    it('maps the last dot to the function and earlier dots to folders', () => {
      assert.deepEqual(pythonModuleCandidates('app.lambda_handler'), ['app.py', 'app/__init__.py']);
      assert.deepEqual(pythonModuleCandidates('pkg.module.func'), ['pkg/module.py', 'pkg/module/__init__.py']);
      assert.deepEqual(pythonModuleCandidates('src/app.handler'), ['src/app.py', 'src/app/__init__.py']);
      assert.deepEqual(pythonModuleCandidates('src/pkg.mod.handler'), ['src/pkg/mod.py', 'src/pkg/mod/__init__.py']);
    });

    it('finds app.py, a nested module and a package; refuses a missing module, naming it', () => {
      passes(check('python3.12', 'app.lambda_handler', files('app.py', 'requirements.txt')));
      passes(check('python3.12', 'pkg.module.func', files('pkg/__init__.py', 'pkg/module.py')));
      passes(check('python3.11', 'src/app.handler', files('src/app.py')));
      passes(check('python3.12', 'handlers.main', files('handlers/__init__.py')));
      refuses(check('python3.12', 'app.lambda_handler', files('app.js', 'src/app.py')), /^The handler 'app\.lambda_handler' needs app\.py in \/ws\/src, and none is there\. Check Handler and the code folder\.$/);
      refuses(check('python3.12', 'pkg.module.func', files('module.py', 'pkg.py')), /needs pkg\/module\.py in/);
    });

    it('refuses malformed handlers with the form expected', () => {
      for (const bad of ['app', '.handler', 'app.', 'a..b', 'pkg/.h', '/app.h', 'app.h/x', 'a/../b.h']) {
        refuses(check('python3.12', bad, files('app.py')), /is not of the form module\.function/);
      }
    });
  });

  describe('Ruby', () => {
    it('wants file.rb for file.method, with a path and a Module::Class method', () => {
      assert.deepEqual(rubyFileCandidates('lib/function.handler'), ['lib/function.rb']);
      passes(check('ruby3.3', 'function.handler', files('function.rb')));
      passes(check('ruby3.3', 'app.LambdaFunctions::Handler.process', files('app.rb')));
      passes(check('ruby3.2', 'lib/app.handler', files('lib/app.rb')));
      refuses(check('ruby3.3', 'function.handler', files('function.js')), /needs function\.rb in/);
      for (const bad of ['function', '.handler', 'function.']) refuses(check('ruby3.3', bad, files('function.rb')), /not of the form file\.method/);
    });
  });

  describe('Java', () => {
    it('wants the handler class, or a jar whose classes it does not inspect (with a note)', () => {
      assert.equal(javaClassFile('com.example.App::handleRequest'), 'com/example/App.class');
      assert.equal(javaClassFile('com.example.App'), 'com/example/App.class');
      passes(check('java21', 'com.example.App::handleRequest', files('com/example/App.class', 'lib/dep.jar')));
      passes(check('java17', 'helloworld.App', files('helloworld/App.class')));
      passes(check('java21', 'com.example.App::handleRequest', files('lib/hello-1.0.jar')), [/^Java: com\/example\/App\.class is not in the package, but a jar is in lib\/ \(lib\/hello-1\.0\.jar\); its classes were not inspected\.$/]);
      passes(check('java11', 'com.example.App', files('app.jar')), [/a jar is in the package root \(app\.jar\)/]);
      refuses(check('java21', 'com.example.App::handleRequest', files('App.class', 'libs/x.jar', 'lib/deep/y.jar', 'helloworld.js')), /needs the class com\/example\/App\.class \(or a \.jar at the root or in lib\/\) in \/ws\/src/);
    });

    it('refuses malformed handlers', () => {
      for (const bad of ['com.example.App::', '::handleRequest', 'com..App', 'com.example.App::a::b', 'com/example/App', '1com.App']) {
        refuses(check('java21', bad, files('lib/a.jar')), /not of the form package\.Class::method/);
      }
    });
  });

  describe('.NET', () => {
    it('wants the assembly the handler names', () => {
      assert.equal(dotnetAssemblyFile('HelloWorld::HelloWorld.Function::FunctionHandler'), 'HelloWorld.dll');
      assert.equal(dotnetAssemblyFile('My.App::My.App.Function::Handle'), 'My.App.dll');
      passes(check('dotnet8', 'HelloWorld::HelloWorld.Function::FunctionHandler', files('HelloWorld.dll', 'Amazon.Lambda.Core.dll')));
      // An executable assembly (top-level statements) is named alone.
      passes(check('dotnet8', 'HelloWorld', files('HelloWorld.dll')));
      refuses(check('dotnet8', 'HelloWorld::HelloWorld.Function::FunctionHandler', files('Other.dll', 'bin/HelloWorld.dll')), /needs the assembly HelloWorld\.dll in \/ws\/src/);
    });

    it('refuses malformed handlers', () => {
      for (const bad of ['HelloWorld::Function', 'A::B::C::D', '::B::C', 'A::::C', 'A::B.::C', 'a/b::C::D']) {
        refuses(check('dotnet8', bad, files('HelloWorld.dll')), /not of the form Assembly::Namespace\.Type::Method/);
      }
    });
  });

  describe('custom runtimes (provided.*)', () => {
    for (const runtime of ['provided', 'provided.al2', 'provided.al2023']) {
      it(`${runtime}: an executable bootstrap at the root, whatever the handler`, () => {
        passes(check(runtime, 'bootstrap', [{ rel: 'bootstrap', mode: EXEC }]));
        passes(check(runtime, undefined, [{ rel: 'bootstrap', mode: EXEC }]));
        passes(check(runtime, 'does.not.matter', [{ rel: 'bootstrap', mode: EXEC }]));
        refuses(check(runtime, 'bootstrap', [{ rel: 'bin/bootstrap', mode: EXEC }, { rel: 'main', mode: EXEC }]), new RegExp(`^The runtime ${runtime.replace('.', '\\.')} starts the executable file bootstrap at the root of the package, and /ws/src has none\\. Build it there`));
        refuses(check(runtime, 'bootstrap', [{ rel: 'bootstrap', mode: FILE }]), new RegExp(`^bootstrap in /ws/src is not executable: Lambda could not start it on ${runtime.replace('.', '\\.')}\\. Make it executable \\(chmod \\+x bootstrap\\)`));
      });
    }

    it('on Windows, where there is no executable bit, packages bootstrap with a note', () => {
      passes(check('provided.al2023', 'bootstrap', [{ rel: 'bootstrap', mode: FILE }], 'win32'), [/could not be checked for the executable bit/]);
      refuses(check('provided.al2023', 'bootstrap', files('main'), 'win32'), /starts the executable file bootstrap/);
    });

    it('go1.x: the executable the handler names', () => {
      passes(check('go1.x', 'main', [{ rel: 'main', mode: EXEC }]));
      refuses(check('go1.x', 'main', [{ rel: 'bootstrap', mode: EXEC }]), /^The handler 'main' on go1\.x starts the executable file main/);
      refuses(check('go1.x', 'main', [{ rel: 'main', mode: FILE }]), /main in \/ws\/src is not executable/);
      refuses(check('go1.x', '../main', [{ rel: 'main', mode: EXEC }]), /not a file name/);
    });
  });

  describe('unknown or missing runtime', () => {
    it('checks nothing and says so: never refused by a Node.js rule', () => {
      passes(check('cobol1', 'app.lambda_handler', files('app.py')), [/^No code check for runtime cobol1: the package was not checked for its handler 'app\.lambda_handler'\.$/]);
      passes(check(undefined, 'app.lambda_handler', files('app.py')), [/runtime is not known, so the package was not checked for its handler 'app\.lambda_handler'/]);
      passes(check(undefined, undefined, files('app.py')));
    });

    it('a known family without a handler checks nothing (as before)', () => {
      for (const runtime of ['nodejs20.x', 'python3.12', 'java21', 'dotnet8', 'ruby3.3']) passes(check(runtime, undefined, files('x')));
    });
  });
});
