import type { LambdaCanaryApi } from '../../src/extension/extension';
import type { AliasNode, FunctionNode, GroupNode, Node } from '../../src/extension/tree';

/** The tree's node of function `name`, refreshing until it is listed (the tree loads in the background). */
export async function functionNode(api: LambdaCanaryApi, name: string): Promise<FunctionNode> {
  for (let i = 0; i < 100; i++) {
    api.tree.refresh();
    const node = (await api.tree.getChildren()).find((k): k is FunctionNode => k.kind === 'function' && k.name === name);
    if (node) return node;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${name} is not listed`);
}

/** The tree's node of alias `functionName:aliasName`, refreshing until it is listed. */
export async function aliasNode(api: LambdaCanaryApi, functionName: string, aliasName: string): Promise<AliasNode> {
  for (let i = 0; i < 100; i++) {
    const fn = await functionNode(api, functionName);
    const [aliases] = (await api.tree.getChildren(fn)) as GroupNode[];
    const node = ((await api.tree.getChildren(aliases)) as Node[]).find((n): n is AliasNode => n.kind === 'alias' && n.aliasName === aliasName);
    if (node) return node;
    await new Promise((r) => setTimeout(r, 50));
    api.tree.refresh();
  }
  throw new Error(`${functionName}:${aliasName} never appeared in the tree`);
}
