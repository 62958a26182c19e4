/** What a router costs, said plainly: the same words as the README's "Costs, plainly". */
export function routerCostText(): string {
  return [
    'Every request is two invocations (the router\'s and the target\'s), so Lambda\'s request charge doubles for the routed traffic.',
    'The router is billed for its own duration, which includes waiting for the target.',
    'It holds one concurrent execution for as long as the target runs: routed traffic uses about twice the concurrency of the account.',
  ].join(' ');
}
