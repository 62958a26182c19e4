// @ts-check
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const webpack = require('webpack');

/**
 * Two bundles:
 *  - the extension (Node, `vscode` external; the embedded sandbox split off as dist/sandbox.js,
 *    required only when it is the connection) plus the sandbox's runtime scripts, which the
 *    sandbox starts as child processes (dist/sandboxWorker.js for Node.js, dist/sandboxRuntimeApi.js
 *    and dist/sandboxBootstrap.py for the Runtime API runtimes), and the `lambda-canary` CLI
 *    (dist/cli.js, the package's bin: executable, with a shebang);
 *  - the traffic panel's browser code (target web), once src/webview exists.
 */

/** @type {import('webpack').Configuration} */
const extensionConfig = {
  name: 'extension',
  target: 'node',
  entry: {
    extension: './src/extension/extension.ts',
    sandboxWorker: './src/sandbox/runtime/worker.ts',
    // The runtime of provided.* and python3.x functions: the Lambda Runtime API in front of their
    // bootstrap (src/sandbox/runtime/invoker.ts starts it from beside sandboxWorker.js).
    sandboxRuntimeApi: './src/sandbox/runtime/runtimeApi.ts',
    // The sandbox checks and unpacks deployment packages on this worker thread (src/sandbox/unpack.ts).
    sandboxUnpack: './src/sandbox/unpackWorker.ts',
    // The packager's worker threads (src/core/packaging.ts starts them from beside the bundle).
    packWorker: './src/core/packWorker.ts',
    // The standalone sandbox (`node dist/sandbox-cli.js --seed demo …`) for npm start and the e2e
    // suite; .vscodeignore keeps it out of the .vsix.
    'sandbox-cli': './src/sandbox/cli.ts',
    // The `lambda-canary` CLI (package.json "bin"); .vscodeignore keeps it out of the .vsix.
    cli: './src/cli/main.ts',
  },
  output: {
    path: path.resolve(__dirname, 'dist'),
    filename: '[name].js',
    libraryTarget: 'commonjs2',
    clean: { keep: /^webview/ },
    // Always write: the bundles' mtimes then tell tools (bench, test runners) they are current.
    compareBeforeEmit: false,
  },
  externals: { vscode: 'commonjs vscode' },
  // Keep __dirname meaning dist/, so the sandbox finds sandboxWorker.js beside the bundle.
  node: { __dirname: false, __filename: false },
  resolve: {
    extensions: ['.ts', '.js'],
    mainFields: ['main', 'module'],
    // jsonc-parser's main build is UMD (dynamic requires webpack cannot follow); its ES modules bundle cleanly.
    alias: { 'jsonc-parser$': 'jsonc-parser/lib/esm/main.js' },
  },
  module: {
    rules: [
      {
        test: /\.ts$/,
        exclude: /node_modules/,
        oneOf: [
          {
            // Their `await import('../sandbox')` stays an ES import here, so webpack splits the
            // embedded sandbox into dist/sandbox.js (one file for both), read only when the sandbox
            // is the connection (the extension's embedded one, the CLI's --sandbox); the same for the
            // trigger audit (dist/triggers.js) and the CodeDeploy engine with its client (dist/codedeploy.js), and
            // history with CloudTrail's client (dist/history.js), the editor's history (dist/historyUi.js), the
            // release runner (dist/releases.js), the diagnosis of a credentials failure (dist/credentials.js) and
            // the zip reader for prebuilt archives (dist/yauzl.js).
            include: [path.resolve(__dirname, 'src', 'extension', 'connection.ts'), path.resolve(__dirname, 'src', 'cli', 'connection.ts'), path.resolve(__dirname, 'src', 'core', 'triggersModule.ts'), path.resolve(__dirname, 'src', 'core', 'codeDeployModule.ts'), path.resolve(__dirname, 'src', 'core', 'historyModule.ts'), path.resolve(__dirname, 'src', 'core', 'releasesModule.ts'), path.resolve(__dirname, 'src', 'extension', 'codeDeployCommandsModule.ts'), path.resolve(__dirname, 'src', 'extension', 'historyUiModule.ts'), path.resolve(__dirname, 'src', 'core', 'connection.ts'), path.resolve(__dirname, 'src', 'core', 'explainingCredentials.ts'), path.resolve(__dirname, 'src', 'core', 'yauzlModule.ts'), path.resolve(__dirname, 'src', 'core', 'routerModule.ts'), path.resolve(__dirname, 'src', 'extension', 'routerUiModule.ts')],
            use: [{ loader: 'ts-loader', options: { transpileOnly: true, compilerOptions: { module: 'es2022' } } }],
          },
          { use: [{ loader: 'ts-loader', options: { transpileOnly: true } }] },
        ],
      },
    ],
  },
  // One file for the lazily loaded sandbox (its dependencies included), not a numbered vendor chunk beside it.
  optimization: { splitChunks: false },
  devtool: 'nosources-source-map',
  plugins: [
    new webpack.BannerPlugin({ banner: '#!/usr/bin/env node', raw: true, entryOnly: true, test: /^cli\.js$/ }),
    {
      // The Python runtime's bootstrap, beside the bundles as dist/sandboxBootstrap.py (the
      // sandbox runs it with the machine's python3).
      apply(compiler) {
        const source = path.resolve(__dirname, 'src', 'sandbox', 'runtime', 'bootstrap.py');
        compiler.hooks.thisCompilation.tap('PythonBootstrap', (compilation) => {
          compilation.fileDependencies.add(source);
          compilation.hooks.processAssets.tap({ name: 'PythonBootstrap', stage: webpack.Compilation.PROCESS_ASSETS_STAGE_ADDITIONAL }, () => {
            compilation.emitAsset('sandboxBootstrap.py', new webpack.sources.RawSource(fs.readFileSync(source)));
          });
        });
      },
    },
    {
      apply(compiler) {
        compiler.hooks.afterEmit.tap('ExecutableCli', (compilation) => {
          const cli = path.join(compilation.outputOptions.path ?? '', 'cli.js');
          if (fs.existsSync(cli)) fs.chmodSync(cli, 0o755);
        });
      },
    },
  ],
  infrastructureLogging: { level: 'log' },
  performance: { hints: false },
};

const webviewEntry = './src/webview/main.ts';

/** @type {import('webpack').Configuration} */
const webviewConfig = {
  name: 'webview',
  target: 'web',
  entry: { webview: webviewEntry, webviewRelease: './src/webview/release.ts' },
  output: { path: path.resolve(__dirname, 'dist'), filename: '[name].js', compareBeforeEmit: false },
  resolve: { extensions: ['.ts', '.js'] },
  module: {
    rules: [
      {
        test: /\.ts$/,
        exclude: /node_modules/,
        use: [{ loader: 'ts-loader', options: { transpileOnly: true, configFile: 'tsconfig.webview.json' } }],
      },
    ],
  },
  devtool: 'nosources-source-map',
  performance: { hints: false },
};

module.exports = fs.existsSync(path.resolve(__dirname, webviewEntry)) ? [extensionConfig, webviewConfig] : [extensionConfig];
