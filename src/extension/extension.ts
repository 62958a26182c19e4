import * as vscode from 'vscode';

/**
 * Entry point. The Functions view is contributed by package.json; until a connection is made it
 * shows its welcome content.
 */
export function activate(context: vscode.ExtensionContext): void {
  const empty: vscode.TreeDataProvider<never> = {
    getTreeItem: (e) => e,
    getChildren: () => [],
  };
  context.subscriptions.push(vscode.window.registerTreeDataProvider('lambdaCanary.functions', empty));
}

export function deactivate(): void {
  // Everything registered is disposed through context.subscriptions.
}
