/** Messages between the sandbox and a function's worker thread. */

export interface WorkerInit {
  /** Folder holding the version's unpacked code (LAMBDA_TASK_ROOT). */
  taskRoot: string;
  handler: string;
  functionName: string;
  functionVersion: string;
  memorySize: number;
  region: string;
  accountId: string;
}

export interface InvokeRequest {
  kind: 'invoke';
  id: number;
  requestId: string;
  /** The raw event bytes as the client sent them (UTF-8 JSON). */
  payload: string;
  invokedFunctionArn: string;
  deadline: number;
  clientContext?: string;
}

export type WorkerReply =
  | { kind: 'ready' }
  | { kind: 'initError'; errorType: string; errorMessage: string; stack: string[] }
  | { kind: 'result'; id: number; ok: true; payload: string; logs: string[] }
  | { kind: 'result'; id: number; ok: false; errorType: string; errorMessage: string; stack: string[]; logs: string[] };
