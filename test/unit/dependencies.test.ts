import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  dependencyWarnings,
  missingNodePackages,
  missingPackages,
  moduleSpecifiers,
  normalizePythonName,
  packageName,
  providedByRuntime,
  pythonImports,
  requirementNames,
  unvendoredPythonPackages,
  vendoredPythonNames,
} from '../../src/core/dependencies';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/sam');

describe('dependencies: what a package needs at run time and does not hold', () => {
  describe('moduleSpecifiers (from the tokens: js-tokens)', () => {
    it('finds ESM imports, re-exports, dynamic import() and require()', () => {
      const src = [
        "import a from 'esm-default';",
        "import { b } from '@scope/named';",
        "import * as c from 'lodash/fp';",
        "import 'side-effect';",
        "export { d } from 'reexported';",
        "export * from 'star';",
        "const e = await import('dynamic');",
        'const f = await import(`template`);',
        "const g = require('cjs');",
        "const h = require(`cjs-template`);",
        'const i = require(name);',
        'const j = import(name);',
        "const k = 'not-an-import';",
      ].join('\n');
      assert.deepEqual(moduleSpecifiers(src), ['esm-default', '@scope/named', 'lodash/fp', 'side-effect', 'reexported', 'star', 'dynamic', 'template', 'cjs', 'cjs-template']);
    });

    it('reads CommonJS that is no valid module (with, octal literals), a hashbang, and top-level return', () => {
      assert.deepEqual(moduleSpecifiers("#!/usr/bin/env node\nwith (Math) { var x = 010; }\nrequire('old');\nreturn;"), ['old']);
    });

    it('never takes text in strings, templates, comments or regular expressions for an import, nor a property named require', () => {
      const src = [
        "const s = \"require('in-a-string')\";",
        'const t = `import x from "in-a-template" ${require(\'real-in-template\')}`;',
        "// require('in-a-comment')",
        "/* import y from 'in-a-block-comment'; */",
        "const r = /require\\('in-a-regexp'\\)/;",
        "module.require('module-require');",
        "obj.import('method');",
        "const from = 'not-a-source';",
        "require('kept');",
      ].join('\n');
      assert.deepEqual(moduleSpecifiers(src), ['real-in-template', 'kept']);
    });

    it('still reads the imports of a source that is no valid JavaScript (TypeScript syntax, a syntax error)', () => {
      assert.deepEqual(moduleSpecifiers("import x from 'y';\nconst a: number = 1;\nconst b = require('z') +;"), ['y', 'z']);
    });

    it('finds require() inside functions and esbuild-style bundles', () => {
      const bundle = '"use strict";var s=Object.defineProperty;var p=require("@aws-sdk/client-dynamodb");exports.handler=async()=>{const m=require("left-pad");return m};';
      assert.deepEqual(moduleSpecifiers(bundle), ['@aws-sdk/client-dynamodb', 'left-pad']);
    });
  });

  describe('packageName', () => {
    const cases: Array<[string, string | undefined]> = [
      ['lodash', 'lodash'],
      ['lodash/fp', 'lodash'],
      ['@aws-sdk/client-s3', '@aws-sdk/client-s3'],
      ['@aws-sdk/client-s3/dist-cjs/index.js', '@aws-sdk/client-s3'],
      ['@scope', undefined],
      ['./local', undefined],
      ['../up', undefined],
      ['/abs/path', undefined],
      ['#internal', undefined],
      ['node:fs', undefined],
      ['file:///x.js', undefined],
      ['data:text/javascript,1', undefined],
    ];
    for (const [spec, name] of cases) it(`${spec} → ${name}`, () => assert.equal(packageName(spec), name));
  });

  describe('providedByRuntime: the AWS SDK per Node.js runtime', () => {
    it('@aws-sdk/* on nodejs18.x and later, not on nodejs16.x', () => {
      assert.equal(providedByRuntime('@aws-sdk/client-s3', 'nodejs18.x'), true);
      assert.equal(providedByRuntime('@aws-sdk/client-s3', 'nodejs22.x'), true);
      assert.equal(providedByRuntime('@aws-sdk/client-s3', 'nodejs16.x'), false);
    });
    it('aws-sdk (v2) on nodejs16.x and earlier, not on nodejs18.x', () => {
      assert.equal(providedByRuntime('aws-sdk', 'nodejs16.x'), true);
      assert.equal(providedByRuntime('aws-sdk', 'nodejs14.x'), true);
      assert.equal(providedByRuntime('aws-sdk', 'nodejs18.x'), false);
    });
    it('other scopes are never provided', () => {
      assert.equal(providedByRuntime('@aws-lambda-powertools/logger', 'nodejs20.x'), false);
      assert.equal(providedByRuntime('@smithy/types', 'nodejs20.x'), false);
    });
  });

  describe('missingPackages', () => {
    const none = () => false;
    it('skips builtins with and without node:, and their subpaths', () => {
      assert.deepEqual(missingPackages(['fs', 'node:fs', 'fs/promises', 'node:test', 'path', 'stream/web', 'crypto'], 'nodejs20.x', none), []);
    });
    it('names each package once, sorted, subpath imports by their package', () => {
      assert.deepEqual(missingPackages(['uuid', 'lodash/fp', 'lodash', '@scope/pkg/sub', './x'], 'nodejs20.x', none), ['@scope/pkg', 'lodash', 'uuid']);
    });
    it('the SDK by runtime', () => {
      assert.deepEqual(missingPackages(['@aws-sdk/client-s3', 'aws-sdk'], 'nodejs20.x', none), ['aws-sdk']);
      assert.deepEqual(missingPackages(['@aws-sdk/client-s3', 'aws-sdk'], 'nodejs16.x', none), ['@aws-sdk/client-s3']);
    });
    it('what `has` finds is not missing', () => {
      assert.deepEqual(missingPackages(['uuid', 'lodash'], 'nodejs20.x', (n) => n === 'uuid'), ['lodash']);
    });
  });

  describe('missingNodePackages (a code folder on disk)', () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-deps-'));
      fs.cpSync(path.join(FIXTURES, 'node-missing-dep', 'src'), dir, { recursive: true });
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("the fixture's handler lacks lodash and uuid, and the file it imports relatively lacks dayjs", () => {
      assert.deepEqual(missingNodePackages({ dir, handler: 'app.handler', runtime: 'nodejs20.x', label: 'src' }), { file: 'app.js', missing: ['dayjs', 'lodash', 'uuid'] });
    });

    it('packages in node_modules of the code folder count; a nested file finds them walking up, not above the code folder', () => {
      for (const name of ['lodash', 'uuid']) fs.mkdirSync(path.join(dir, 'node_modules', name), { recursive: true });
      fs.mkdirSync(path.join(dir, 'lib', 'node_modules', 'dayjs'), { recursive: true });
      assert.deepEqual(missingNodePackages({ dir, handler: 'app.handler', runtime: 'nodejs20.x', label: 'src' })?.missing, []);
      // node_modules above the code folder is not in the package.
      const inner = path.join(dir, 'inner');
      fs.mkdirSync(inner);
      fs.writeFileSync(path.join(inner, 'index.mjs'), "import _ from 'lodash';\nexport const handler = async () => _;\n");
      assert.deepEqual(missingNodePackages({ dir: inner, handler: 'index.handler', runtime: 'nodejs20.x', label: 'inner' })?.missing, ['lodash']);
    });

    it('a scoped package is looked for under its scope', () => {
      fs.writeFileSync(path.join(dir, 'app.js'), "require('@middy/core');\n");
      assert.deepEqual(missingNodePackages({ dir, handler: 'app.handler', runtime: 'nodejs20.x', label: 'src' })?.missing, ['@middy/core']);
      fs.mkdirSync(path.join(dir, 'node_modules', '@middy', 'core'), { recursive: true });
      assert.deepEqual(missingNodePackages({ dir, handler: 'app.handler', runtime: 'nodejs20.x', label: 'src' })?.missing, []);
    });

    it('a handler file over 1 MB (a bundle) is not read: no warning', () => {
      fs.writeFileSync(path.join(dir, 'big.js'), `require('left-pad');\n/*${'x'.repeat(1024 * 1024)}*/\n`);
      assert.equal(missingNodePackages({ dir, handler: 'big.handler', runtime: 'nodejs20.x', label: 'src' }), undefined);
      assert.deepEqual(dependencyWarnings({ dir, handler: 'big.handler', runtime: 'nodejs20.x', label: 'src' }), []);
    });

    it('checks nothing for another runtime, an unknown handler file, or no handler', () => {
      assert.equal(missingNodePackages({ dir, handler: 'app.handler', runtime: 'python3.12', label: 'src' }), undefined);
      assert.equal(missingNodePackages({ dir, handler: 'nothere.handler', runtime: 'nodejs20.x', label: 'src' }), undefined);
      assert.equal(missingNodePackages({ dir, runtime: 'nodejs20.x', label: 'src' }), undefined);
    });

    it('the warning names the packages and says what to run where', () => {
      const [w, ...rest] = dependencyWarnings({ dir, handler: 'app.handler', runtime: 'nodejs20.x', label: 'src', build: 'sam build OrdersFunction' });
      assert.deepEqual(rest, []);
      assert.equal(
        w,
        'app.js imports dayjs, lodash and uuid, but they are not in the package (no node_modules/dayjs in src): the function would fail with "Cannot find module". Run `npm install` in src, or `sam build OrdersFunction`, then publish again.',
      );
    });
  });

  describe('build output (.aws-sam/build/…) lacking packages: the build is to fix, not npm install in place', () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-built-'));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('Node.js: an esbuild bundle requiring an External package', () => {
      fs.writeFileSync(path.join(dir, 'app.js'), '"use strict";var a=require("@aws-sdk/client-s3"),b=require("sharp");exports.handler=async()=>1;');
      assert.deepEqual(dependencyWarnings({ dir, handler: 'app.handler', runtime: 'nodejs20.x', label: '.aws-sam/build/Fn', build: 'sam build Fn', built: true }), [
        'app.js in .aws-sam/build/Fn imports sharp, which the build did not put in the package: the function would fail with "Cannot find module". Check that package.json lists it under "dependencies" (and, with esbuild, that Metadata.BuildProperties.External does not leave it out), then run `sam build Fn` again.',
      ]);
    });

    it('Python: a requirement missing from the build output', () => {
      fs.writeFileSync(path.join(dir, 'app.py'), 'import requests\n');
      fs.writeFileSync(path.join(dir, 'requirements.txt'), 'requests\nurllib3\n');
      fs.mkdirSync(path.join(dir, 'urllib3'));
      assert.deepEqual(dependencyWarnings({ dir, handler: 'app.lambda_handler', runtime: 'python3.12', label: '.aws-sam/build/Fn', build: 'sam build Fn', built: true }), [
        'requirements.txt lists requests, which is not in the build output .aws-sam/build/Fn: the function would fail with "No module named". Run `sam build Fn` again and check its output.',
      ]);
    });
  });

  describe('Python requirements', () => {
    it('normalises names per PEP 503', () => {
      assert.equal(normalizePythonName('Foo.Bar__baz--Qux'), 'foo-bar-baz-qux');
      assert.equal(normalizePythonName('typing_extensions'), 'typing-extensions');
    });

    it('reads each form of a requirement line, and ignores options, comments, URLs and paths', () => {
      const text = [
        '# a comment',
        'requests',
        'Django>=4.2,<5  # pinned',
        'urllib3 == 2.0.7',
        'PyYAML~=6.0',
        'requests[security,socks]>=2.31; python_version >= "3.8"',
        'python_dateutil ; sys_platform != "win32"',
        'Typing.Extensions',
        'pkg @ https://example.com/pkg-1.0.tar.gz',
        'attrs\\',
        '  >=23',
        '-r other.txt',
        '-e git+https://github.com/x/y.git#egg=editable',
        '--index-url https://pypi.example.com/simple',
        '-c constraints.txt',
        'git+https://github.com/x/z.git#egg=z',
        './local/package',
        'wheels/thing-1.0-py3-none-any.whl',
        'thing-1.0-py3-none-any.whl',
        '',
      ].join('\n');
      assert.deepEqual(requirementNames(text), ['attrs', 'django', 'pkg', 'python-dateutil', 'pyyaml', 'requests', 'typing-extensions', 'urllib3']);
    });

    it('vendored names: folders, modules, dist-info and egg-info, normalised', () => {
      const names = vendoredPythonNames([
        { name: 'requests', dir: true },
        { name: 'requests-2.31.0.dist-info', dir: true },
        { name: 'six.py', dir: false },
        { name: 'PyYAML-6.0.1.dist-info', dir: true },
        { name: 'python_dateutil-2.8.2.dist-info', dir: true },
        { name: 'legacy.egg-info', dir: true },
        { name: 'README.md', dir: false },
      ]);
      for (const n of ['requests', 'six', 'pyyaml', 'python-dateutil', 'legacy']) assert.ok(names.has(n), n);
      assert.ok(!names.has('readme-md'));
    });

    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-py-'));
      fs.cpSync(path.join(FIXTURES, 'python-unvendored', 'hello_world'), dir, { recursive: true });
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("the fixture's requests is not vendored (boto3 is in the runtime); vendored, it is not warned about", () => {
      assert.deepEqual(unvendoredPythonPackages({ dir, runtime: 'python3.12' }), ['requests']);
      const [w] = dependencyWarnings({ dir, runtime: 'python3.12', handler: 'app.lambda_handler', label: 'hello_world', build: 'sam build HelloWorldFunction' });
      assert.equal(
        w,
        'requirements.txt lists requests, which is not vendored in the package (no requests/ or requests-*.dist-info in hello_world): the function would fail with "No module named". Run `sam build HelloWorldFunction` (it installs requirements.txt into the build), or `pip install -r requirements.txt -t .` in hello_world, then publish again.',
      );
      fs.mkdirSync(path.join(dir, 'requests-2.31.0.dist-info'));
      assert.deepEqual(unvendoredPythonPackages({ dir, runtime: 'python3.12' }), []);
      assert.deepEqual(dependencyWarnings({ dir, runtime: 'python3.12', handler: 'app.lambda_handler', label: 'hello_world' }), []);
    });

    it('is not checked for a Node.js runtime', () => {
      assert.equal(unvendoredPythonPackages({ dir, runtime: 'nodejs20.x' }), undefined);
    });

    it('pythonImports: top-level modules of import and from-import lines at any indentation, relative imports left out', () => {
      const src = ['import os, sys as system', 'from yaml.loader import SafeLoader', 'def handler(e, c):', '    import requests.adapters', '    from . import util', '\tfrom .models import X', 'x = "import nothing"'].join('\n');
      assert.deepEqual(pythonImports(src), ['os', 'requests', 'sys', 'yaml']);
    });

    it('a requirement nothing imports is not warned about (the requests that sam init lists); an imported one is', () => {
      // The python-requirements fixture is `sam init`'s hello world: requests listed, never imported.
      const init = path.join(FIXTURES, 'python-requirements', 'hello_world');
      assert.deepEqual(unvendoredPythonPackages({ dir: init, runtime: 'python3.13' }), []);
      fs.writeFileSync(path.join(dir, 'requirements.txt'), 'requests\nPyYAML>=6\nbeautifulsoup4\nattrs\nunused-thing\n');
      fs.mkdirSync(path.join(dir, 'lib'));
      fs.writeFileSync(path.join(dir, 'lib', 'parse.py'), 'def f():\n    from bs4 import BeautifulSoup\n    import yaml\n');
      assert.deepEqual(unvendoredPythonPackages({ dir, runtime: 'python3.12' }), ['beautifulsoup4', 'pyyaml', 'requests']);
    });

    it("boto3's own dependencies are in the runtime too (s3transfer, jmespath, urllib3, python-dateutil, six)", () => {
      fs.writeFileSync(path.join(dir, 'requirements.txt'), 'boto3\nbotocore\ns3transfer\njmespath\nurllib3\npython-dateutil\nsix\n');
      fs.writeFileSync(path.join(dir, 'app.py'), 'import boto3, botocore, s3transfer, jmespath, urllib3, six\nfrom dateutil import parser\n');
      assert.deepEqual(unvendoredPythonPackages({ dir, runtime: 'python3.12' }), []);
    });

    it("imports in virtual envs, caches and vendored packages are not the code's", () => {
      fs.writeFileSync(path.join(dir, 'app.py'), 'import json\n');
      fs.writeFileSync(path.join(dir, 'requirements.txt'), 'requests\nflask\n');
      for (const d of ['.venv/lib', '__pycache__', 'requests', 'requests-2.31.0.dist-info']) fs.mkdirSync(path.join(dir, d), { recursive: true });
      fs.writeFileSync(path.join(dir, '.venv', 'lib', 'x.py'), 'import flask\n');
      fs.writeFileSync(path.join(dir, 'requests', '__init__.py'), 'import flask\n');
      assert.deepEqual(unvendoredPythonPackages({ dir, runtime: 'python3.12' }), []);
    });
  });
});
