// The frame around both screens: the header with the connection badge, and the footer with links to the other examples.

import type { ReactNode } from 'react';

export interface ShellProps {
  badge: ReactNode;
  /** Shown in the footer once chosen. */
  nick?: string | undefined;
  longPolling: boolean;
  children: ReactNode;
}

export function Shell({ badge, nick, longPolling, children }: ShellProps) {
  return (
    <div className="app">
      <header className="topbar">
        <div className="title">
          <h1># lobby</h1>
          <p className="subtitle">
            enhanced-ws in React: <code>useWebSocket</code> + <code>useWebSocketEvent</code>
          </p>
        </div>
        {badge}
      </header>
      {children}
      <footer className="footer">
        <span id="me">{nick ? `You are ${nick}` : ''}</span>
        <a href={longPolling ? '?' : '?transport=long-polling'}>{longPolling ? 'Back to WebSocket' : 'Try long-polling'}</a>
        <a href="/cdn-chat/">CDN chat</a>
        <a href="/dashboard/">Dashboard</a>
      </footer>
    </div>
  );
}
