import type { PanelOutcome, TrafficPanel } from '../../src/extension/panel/trafficPanel';
import type { PanelMessage } from '../../src/shared/protocol';

/** The host's outcome of the next page message of this type. */
export function outcomeOf(panel: TrafficPanel, type: PanelMessage['type'], timeoutMs = 20_000): Promise<PanelOutcome> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`the panel handled no '${type}' message within ${timeoutMs} ms`));
    }, timeoutMs);
    const sub = panel.onDidHandleMessage((o) => {
      if (o.message.type !== type) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(o);
    });
  });
}

/** Does what a user does on the page, and waits for the host to have handled the message it posted. */
export async function handled(panel: TrafficPanel, type: PanelMessage['type'], act: () => Promise<void>): Promise<PanelOutcome> {
  const outcome = outcomeOf(panel, type);
  try {
    await act();
  } catch (e) {
    outcome.catch(() => undefined);
    throw e;
  }
  return outcome;
}
