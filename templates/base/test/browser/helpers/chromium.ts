import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/**
 * The browser suite drives the system Chromium (Debian: `apt-get install chromium`) through
 * playwright-core; it never downloads a browser. CHROMIUM_PATH points it elsewhere.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const chromiumFound = existsSync(CHROMIUM_PATH);

/**
 * Host names the tests use for origins that must not be loopback. Chromium resolves them to
 * 127.0.0.1 itself, so no DNS is involved and every server still listens on 127.0.0.1 only.
 */
export const NON_LOOPBACK_HOSTS = ['allowed.test', 'evil.test'] as const;

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  `--host-resolver-rules=${NON_LOOPBACK_HOSTS.map((host) => `MAP ${host} 127.0.0.1`).join(', ')}`,
];

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: FLAGS });
}
