// Browser signals the client reacts to: online/offline, tab visibility, back/forward cache.

export interface EnvironmentHooks {
  online: () => void;
  offline: () => void;
  /** The tab became visible again. */
  visible: () => void;
  /** The page is hidden for navigation (it may come back from the back/forward cache). */
  pagehide: () => void;
  pageshow: () => void;
}

type Listen = (type: string, listener: () => void) => void;

interface EventTargetLike {
  addEventListener?: Listen;
  removeEventListener?: Listen;
}

/** Whether the browser says it is offline. Unknown (no `navigator`) counts as online. */
export function isOffline(): boolean {
  return (globalThis as { navigator?: { onLine?: boolean } }).navigator?.onLine === false;
}

/**
 * Attaches the listeners (on connect, never at import) and returns the function that removes
 * them all (on close). A no-op outside browsers.
 */
export function watchEnvironment(hooks: EnvironmentHooks): () => void {
  const target = globalThis as EventTargetLike & { document?: EventTargetLike & { visibilityState?: string } };
  const doc = target.document;
  const visibilitychange = (): void => {
    if (doc?.visibilityState === 'visible') hooks.visible();
  };
  const listen = (method: keyof EventTargetLike): void => {
    for (const type of ['online', 'offline', 'pagehide', 'pageshow'] as const) target[method]?.(type, hooks[type]);
    doc?.[method]?.('visibilitychange', visibilitychange);
  };
  listen('addEventListener');
  return () => {
    listen('removeEventListener');
  };
}

/** Whether a `pagehide` listener is running now (`window.event`): the page is being left. */
export const inPagehide = (): boolean => (globalThis as { event?: { type?: unknown } }).event?.type === 'pagehide';

/** Calls `listener` when the page is hidden for navigation, until the returned function is called. A no-op outside browsers. */
export function onPagehide(listener: () => void): () => void {
  const target = globalThis as EventTargetLike;
  target.addEventListener?.('pagehide', listener);
  return () => {
    target.removeEventListener?.('pagehide', listener);
  };
}
