// Browser signals the client reacts to: online/offline, tab visibility, back/forward cache.

export interface EnvironmentHooks {
  online(): void;
  offline(): void;
  /** The tab became visible again. */
  visible(): void;
  /** The page is hidden for navigation; `persisted` when it may come back from the bfcache. */
  pagehide(persisted: boolean): void;
  pageshow(persisted: boolean): void;
}

interface EventTargetLike {
  addEventListener(type: string, listener: (event: Event) => void): void;
  removeEventListener(type: string, listener: (event: Event) => void): void;
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
  const target = globalThis as Partial<EventTargetLike> & { document?: Partial<EventTargetLike> & { visibilityState?: string } };
  const doc = target.document;
  const listeners: [Partial<EventTargetLike> | undefined, string, (event: Event) => void][] = [
    [target, 'online', () => { hooks.online(); }],
    [target, 'offline', () => { hooks.offline(); }],
    [target, 'pagehide', (event) => { hooks.pagehide((event as PageTransitionEvent).persisted); }],
    [target, 'pageshow', (event) => { hooks.pageshow((event as PageTransitionEvent).persisted); }],
    [doc, 'visibilitychange', () => { if (doc?.visibilityState === 'visible') hooks.visible(); }],
  ];
  for (const [on, type, listener] of listeners) on?.addEventListener?.(type, listener);
  return () => {
    for (const [on, type, listener] of listeners) on?.removeEventListener?.(type, listener);
  };
}
