// Playwright: the e2e specs in e2e/, in real Chromium, against the built dist/ (run `npm run build` first).
import { existsSync } from 'node:fs';
import { defineConfig, devices } from '@playwright/test';

// A system Chromium (Debian's `chromium` package, as in CI) when there is one; otherwise the
// browser `npx playwright install` downloads, so the tests also run on a laptop.
const SYSTEM_CHROMIUM = '/usr/bin/chromium';

export default defineConfig({
  testDir: 'e2e',
  // Each test starts its own servers on port 0, so tests may run side by side; 2 cores here.
  fullyParallel: true,
  workers: 2,
  timeout: 30_000,
  expect: { timeout: 5_000 },
  forbidOnly: Boolean(process.env.CI),
  // No retries: a flaky reconnect test is a bug to find, not to hide.
  retries: 0,
  reporter: 'list',
  use: {
    trace: 'retain-on-failure',
    // Every server in these tests listens on 127.0.0.1; nothing else should be reached.
    launchOptions: {
      ...(existsSync(SYSTEM_CHROMIUM) ? { executablePath: SYSTEM_CHROMIUM } : {}),
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'] } }],
});
