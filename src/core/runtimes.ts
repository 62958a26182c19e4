/**
 * What a code package must contain for its handler to start, by runtime family: one table, so
 * a Python or Java function is never judged by a Node.js rule. Pure: it looks at the list of
 * files that will be packaged (paths relative to the package root, with their modes), never at
 * their contents.
 */

/** A file that will be in the package. */
export interface PackagedFile {
  /** Path inside the package, '/'-separated. */
  rel: string;
  /** File mode as packaged (0o100755 when executable). */
  mode: number;
}

export interface CodeCheckInput {
  /** The function's runtime (e.g. 'python3.12'); undefined when it is not known. */
  runtime?: string;
  /** The function's handler (e.g. 'app.lambda_handler'); undefined when it is not known. */
  handler?: string;
  files: readonly PackagedFile[];
  /** The code folder, as named in messages. */
  root: string;
  /** The platform the files were read on: the executable bit means nothing on Windows. */
  platform?: NodeJS.Platform;
}

export interface CodeCheck {
  /** Why the package would not start: it must not be published. */
  refusal?: string;
  /** What the user should know although the package is published (what was not checked). */
  notes: string[];
}

interface Family {
  /** As the user knows it: 'Python'. */
  name: string;
  matches(runtime: string): boolean;
  /** Whether the check needs a handler (a custom runtime starts `bootstrap`, whatever the handler). */
  needsHandler: boolean;
  check(handler: string, have: Files, input: CodeCheckInput): CodeCheck;
}

interface Files {
  has(rel: string): boolean;
  mode(rel: string): number | undefined;
  all: readonly PackagedFile[];
}

const ok = (...notes: string[]): CodeCheck => ({ notes });
const refused = (refusal: string): CodeCheck => ({ refusal, notes: [] });
const needs = (handler: string, what: string, root: string): CodeCheck =>
  refused(`The handler '${handler}' needs ${what} in ${root}, and none is there. Check Handler and the code folder.`);

/** A path made only of non-empty segments: no leading, trailing or doubled '/'. */
const cleanPath = (p: string) => p.split('/').every((s) => s !== '' && s !== '.' && s !== '..');

/** The module file a Node.js handler string needs, as candidates: 'src/app.handler' → src/app.{js,mjs,cjs}. */
export function handlerModuleCandidates(handler: string): string[] {
  const slash = handler.lastIndexOf('/');
  const base = handler.slice(slash + 1);
  const dot = base.indexOf('.');
  if (dot <= 0 || dot === base.length - 1) return [];
  const mod = handler.slice(0, slash + 1) + base.slice(0, dot);
  return ['.js', '.mjs', '.cjs'].map((ext) => mod + ext);
}

/**
 * The module a Python handler needs: the last dot separates the function, earlier dots are
 * folders ('pkg.module.func' → pkg/module.py, or the package pkg/module/__init__.py); a path is
 * allowed too ('src/app.handler' → src/app.py).
 */
export function pythonModuleCandidates(handler: string): string[] {
  const dot = handler.lastIndexOf('.');
  if (dot <= 0 || dot === handler.length - 1) return [];
  const func = handler.slice(dot + 1);
  if (func.includes('/')) return [];
  const mod = handler.slice(0, dot).replace(/\./g, '/');
  if (!cleanPath(mod)) return [];
  return [`${mod}.py`, `${mod}/__init__.py`];
}

/** The file a Ruby handler needs: 'lib/app.Handler.process' → lib/app.rb (the file is up to the first dot of the last segment). */
export function rubyFileCandidates(handler: string): string[] {
  const js = handlerModuleCandidates(handler);
  if (js.length === 0 || !cleanPath(js[0].slice(0, -'.js'.length))) return [];
  return [js[0].replace(/\.js$/, '.rb')];
}

const JAVA_CLASS = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/;
const JAVA_METHOD = /^[A-Za-z_$][\w$]*$/;

/** The class file a Java handler names: 'com.example.App::handleRequest' (or 'com.example.App') → com/example/App.class. */
export function javaClassFile(handler: string): string | undefined {
  const parts = handler.split('::');
  if (parts.length > 2 || !JAVA_CLASS.test(parts[0]) || (parts.length === 2 && !JAVA_METHOD.test(parts[1]))) return undefined;
  return `${parts[0].replace(/\./g, '/')}.class`;
}

const DOTNET_NAME = /^[A-Za-z_][\w.-]*$/;

/** The assembly a .NET handler names: 'Assembly::Namespace.Type::Method' → Assembly.dll; an executable assembly's handler is its name alone. */
export function dotnetAssemblyFile(handler: string): string | undefined {
  const parts = handler.split('::');
  if (parts.length !== 1 && parts.length !== 3) return undefined;
  if (!parts.every((p) => p !== '' && DOTNET_NAME.test(p) && !p.endsWith('.') && !p.includes('..'))) return undefined;
  return `${parts[0]}.dll`;
}

/** A custom runtime (and go1.x) starts an executable file: say what is wrong with it, if anything. `starter`: who starts it. */
function executable(rel: string, have: Files, input: CodeCheckInput, starter: string): CodeCheck {
  const mode = have.mode(rel);
  if (mode === undefined) {
    return refused(`${starter} starts the executable file ${rel} at the root of the package, and ${input.root} has none. Build it there (a compiled binary or a script), or check the code folder.`);
  }
  if ((input.platform ?? process.platform) === 'win32') {
    return ok(`${rel} could not be checked for the executable bit (Windows has none): it is packaged without it, and Lambda may not start it. Package it on Linux or macOS, or from WSL.`);
  }
  if ((mode & 0o111) === 0) {
    return refused(`${rel} in ${input.root} is not executable: Lambda could not start it on ${input.runtime}. Make it executable (chmod +x ${rel}) and publish again.`);
  }
  return ok();
}

const startsWith = (...prefixes: string[]) => (runtime: string) => prefixes.some((p) => runtime.startsWith(p));

/** The runtime families and what each needs. A runtime that matches none is packaged with a note. */
export const RUNTIME_FAMILIES: readonly Family[] = [
  {
    name: 'Node.js',
    matches: startsWith('nodejs'),
    needsHandler: true,
    check(handler, have, { root }) {
      const candidates = handlerModuleCandidates(handler);
      if (candidates.length === 0) return refused(`The handler '${handler}' is not of the form file.export (e.g. index.handler).`);
      return candidates.some((c) => have.has(c)) ? ok() : needs(handler, candidates.join(' or '), root);
    },
  },
  {
    name: 'Python',
    matches: startsWith('python'),
    needsHandler: true,
    check(handler, have, { root }) {
      const candidates = pythonModuleCandidates(handler);
      if (candidates.length === 0) return refused(`The handler '${handler}' is not of the form module.function (e.g. app.lambda_handler, or pkg.module.function).`);
      return candidates.some((c) => have.has(c)) ? ok() : needs(handler, candidates[0], root);
    },
  },
  {
    name: 'Ruby',
    matches: startsWith('ruby'),
    needsHandler: true,
    check(handler, have, { root }) {
      const candidates = rubyFileCandidates(handler);
      if (candidates.length === 0) return refused(`The handler '${handler}' is not of the form file.method (e.g. function.handler).`);
      return have.has(candidates[0]) ? ok() : needs(handler, candidates[0], root);
    },
  },
  {
    name: 'Java',
    matches: startsWith('java'),
    needsHandler: true,
    check(handler, have, { root }) {
      const cls = javaClassFile(handler);
      if (!cls) return refused(`The handler '${handler}' is not of the form package.Class::method or package.Class (e.g. com.example.App::handleRequest).`);
      if (have.has(cls)) return ok();
      const jars = have.all.filter((f) => f.rel.endsWith('.jar') && (!f.rel.includes('/') || /^lib\/[^/]+\.jar$/.test(f.rel)));
      if (jars.length > 0) {
        const where = jars.some((j) => j.rel.startsWith('lib/')) ? 'lib/' : 'the package root';
        return ok(`Java: ${cls} is not in the package, but a jar is in ${where} (${jars.map((j) => j.rel).slice(0, 3).join(', ')}${jars.length > 3 ? ', …' : ''}); its classes were not inspected.`);
      }
      return needs(handler, `the class ${cls} (or a .jar at the root or in lib/)`, root);
    },
  },
  {
    name: '.NET',
    matches: startsWith('dotnet'),
    needsHandler: true,
    check(handler, have, { root }) {
      const dll = dotnetAssemblyFile(handler);
      if (!dll) return refused(`The handler '${handler}' is not of the form Assembly::Namespace.Type::Method (e.g. HelloWorld::HelloWorld.Function::FunctionHandler).`);
      return have.has(dll) ? ok() : needs(handler, `the assembly ${dll}`, root);
    },
  },
  {
    name: 'custom runtime',
    matches: (runtime) => runtime === 'provided' || runtime.startsWith('provided.'),
    needsHandler: false,
    check(_handler, have, input) {
      return executable('bootstrap', have, input, `The runtime ${input.runtime}`);
    },
  },
  {
    name: 'Go (go1.x)',
    matches: (runtime) => runtime === 'go1.x',
    needsHandler: true,
    check(handler, have, input) {
      if (!cleanPath(handler)) return refused(`The handler '${handler}' is not a file name (go1.x starts the executable the handler names, e.g. main).`);
      return executable(handler, have, input, `The handler '${handler}' on go1.x`);
    },
  },
];

/** The family a runtime belongs to, if any. */
export function runtimeFamily(runtime: string): string | undefined {
  return RUNTIME_FAMILIES.find((f) => f.matches(runtime))?.name;
}

/**
 * Checks that the package holds what the handler needs on its runtime. A runtime without a
 * check, or an unknown one, is never refused: the note says what was not checked.
 */
export function checkCode(input: CodeCheckInput): CodeCheck {
  const { runtime, handler } = input;
  if (!runtime) {
    return handler ? ok(`The function's runtime is not known, so the package was not checked for its handler '${handler}'.`) : ok();
  }
  const family = RUNTIME_FAMILIES.find((f) => f.matches(runtime));
  if (!family) return ok(`No code check for runtime ${runtime}: the package was not checked for its handler${handler ? ` '${handler}'` : ''}.`);
  if (family.needsHandler && !handler) return ok();
  const modes = new Map(input.files.map((f) => [f.rel, f.mode]));
  const have: Files = { has: (rel) => modes.has(rel), mode: (rel) => modes.get(rel), all: input.files };
  return family.check(handler ?? '', have, input);
}
