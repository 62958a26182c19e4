/**
 * YAML read with js-yaml (what PyYAML, and so SAM CLI, reads), bounded for untrusted text:
 * js-yaml itself refuses collections nested more than 100 deep (`maxDepth`); it shares an aliased
 * node by reference, so an alias bomb ("billion laughs") loads small, and would blow up only in
 * what walks it afterwards. loadYaml refuses such a document, and a cycle (`&a [*a]`), before
 * anything walks it.
 */
import * as jsYaml from 'js-yaml';

/** How many values aliases may add to a document, counted as if each alias were written out. */
export const MAX_ALIASED_VALUES = 10_000;

/** Text that does not read as YAML: why, and where (1-based) when known. */
export class YamlError extends Error {
  constructor(
    readonly reason: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(line === undefined ? reason : `${reason} at line ${line}, column ${column ?? 1}`);
    this.name = 'YamlError';
  }
}

class TooMuch extends Error {}

/** Why `root` (as js-yaml loaded it) must not be walked, or undefined when it may. */
export function aliasProblem(root: unknown, max = MAX_ALIASED_VALUES): string | undefined {
  const sizes = new Map<object, number>();
  const open = new Set<object>();
  let aliased = 0;
  // Depth is bounded: js-yaml nests at most maxDepth collections, and a cycle is stopped at once.
  const size = (v: unknown): number => {
    if (v === null || typeof v !== 'object') return 1;
    const known = sizes.get(v);
    if (known !== undefined) {
      aliased += known;
      if (aliased > max) throw new TooMuch();
      return known;
    }
    if (open.has(v)) throw new YamlError('an alias (*name) refers to a collection it is inside: the document would be infinite');
    open.add(v);
    let n = 1;
    for (const child of Object.values(v)) n += size(child);
    open.delete(v);
    sizes.set(v, n);
    return n;
  };
  try {
    size(root);
    return undefined;
  } catch (e) {
    if (e instanceof TooMuch) return `its aliases (*name) add more than ${max} values, an alias bomb ("billion laughs"): not expanded`;
    return (e as Error).message;
  }
}

/** The document of `text`; a YamlError when it does not read, or is an alias bomb or cycle. */
export function loadYaml(text: string, options: { schema?: jsYaml.Schema; json?: boolean } = {}): unknown {
  let doc: unknown;
  try {
    doc = jsYaml.load(text, { schema: options.schema ?? jsYaml.CORE_SCHEMA, json: options.json ?? false });
  } catch (e) {
    if (e instanceof jsYaml.YAMLException) throw new YamlError(e.reason || e.message.split('\n')[0], e.mark ? e.mark.line + 1 : undefined, e.mark ? e.mark.column + 1 : undefined);
    throw new YamlError((e as Error).message);
  }
  const problem = aliasProblem(doc);
  if (problem) throw new YamlError(problem);
  return doc;
}
