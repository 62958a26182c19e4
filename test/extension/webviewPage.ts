/**
 * A webview's page as a person uses it: real clicks and typing in the browser that shows the
 * workbench, through the loopback bridge of scripts/webview-bridge.mjs (the extension host has no
 * handle on the browser). scripts/run-extension-tests.mjs starts the bridge and names it in
 * LAMBDA_CANARY_TEST_WEBVIEW_BRIDGE; other runners (@vscode/test-electron) have none, and the
 * tests that need it skip.
 */
import * as http from 'node:http';

/** What the page shows of one element. */
export interface ElementState {
  text: string;
  disabled: boolean;
  hidden: boolean;
  value?: string;
  ariaLabel?: string;
}

interface Bridge {
  url: string;
  token: string;
}

export function webviewBridge(): Bridge | undefined {
  const raw = process.env.LAMBDA_CANARY_TEST_WEBVIEW_BRIDGE;
  return raw ? (JSON.parse(raw) as Bridge) : undefined;
}

export class WebviewPage {
  /** @param heading the page's <h1> text, which tells the webview apart ("my-fn:prod"). */
  constructor(
    private readonly bridge: Bridge,
    readonly heading: string,
  ) {}

  /** Clicks the element; `force` clicks it even when disabled (nothing must happen then). */
  async click(selector: string, options: { force?: boolean } = {}): Promise<void> {
    await this.send({ action: 'click', selector, force: options.force });
  }

  /** Types `value` into the input, replacing what it held (the page sees an input event). */
  async fill(selector: string, value: string | number): Promise<void> {
    await this.send({ action: 'fill', selector, value: String(value) });
  }

  /** The element's state, or null when the page has none. */
  async read(selector: string): Promise<ElementState | null> {
    return (await this.send({ action: 'read', selector })).state ?? null;
  }

  /** Polls until the element's state satisfies `cond`; the error quotes the last state. */
  async waitFor(selector: string, cond: (s: ElementState) => boolean, what: string, timeoutMs = 15_000): Promise<ElementState> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const s = await this.read(selector);
      if (s && cond(s)) return s;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}: ${selector} is ${JSON.stringify(s)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private send(request: Record<string, unknown>): Promise<{ state?: ElementState | null }> {
    const body = JSON.stringify({ ...request, token: this.bridge.token, heading: this.heading });
    return new Promise((resolve, reject) => {
      const req = http.request(this.bridge.url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          try {
            const answer = JSON.parse(text) as { ok: boolean; error?: string; state?: ElementState | null };
            if (answer.ok) resolve(answer);
            else reject(new Error(`webview ${this.heading}: ${String(request.action)} ${String(request.selector)}: ${answer.error}`));
          } catch (e) {
            reject(e as Error);
          }
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  }
}
