import type { Config } from './config.js';

/** Settings that work but will surprise someone later: printed once at start, never refused. */
export function startupWarnings(config: Config): string[] {
  const warnings: string[] = [];
  const url = new URL(config.publicUrl);
  // URL drops the default port, so any port left on an https URL is not 443.
  if (url.protocol === 'https:' && url.port !== '') {
    warnings.push(
      `Warning: PUBLIC_URL ${config.publicUrl} uses port ${url.port}; claude.ai connects to MCP servers on port 443 only and will never reach this server (quirk public-port-443)`,
    );
  }
  return warnings;
}
