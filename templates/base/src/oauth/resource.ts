import { OAuthError } from './errors.js';

/**
 * RFC 8707 `resource` values as clients really send them (quirk resource-forms): repeated
 * parameters, one comma-separated value, or a JSON array string.
 */
export function parseResourceParams(values: readonly string[]): string[] {
  return values.flatMap((value) => {
    const trimmed = value.trim();
    if (trimmed.startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(trimmed);
        if (Array.isArray(parsed) && parsed.every((item) => typeof item === 'string'))
          return parsed;
      } catch {
        // not JSON after all: treat as a plain value below
      }
    }
    return trimmed
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part.length > 0);
  });
}

/** Scheme and host compare case-insensitively (URL does that); one trailing slash is ignored. */
function normalise(resource: string): string | undefined {
  try {
    const url = new URL(resource);
    if (url.hash) return undefined;
    return `${url.protocol}//${url.host}${url.pathname.replace(/\/$/, '')}${url.search}`;
  } catch {
    return undefined;
  }
}

export function isCanonicalResource(value: string, canonical: string): boolean {
  const normalised = normalise(value);
  return normalised !== undefined && normalised === normalise(canonical);
}

/** The resource a grant is for: every value sent must be ours; omitted means ours. */
export function resolveResource(values: readonly string[], canonical: string): string {
  for (const resource of parseResourceParams(values)) {
    if (!isCanonicalResource(resource, canonical)) {
      throw new OAuthError(
        'invalid_target',
        `The resource ${resource} is not served here; use ${canonical}`,
      );
    }
  }
  return canonical;
}
