import { describe, expect, it } from 'vitest';
import { redactHeader, redactText, shorten } from '../../src/check/redact.js';
import { fixFor } from '../../src/check/report.js';
import { parseChallenge } from '../../src/check/www-authenticate.js';
import { QUIRKS } from '../../src/quirks.js';

describe('check evidence', () => {
  it('redacts tokens, codes and secrets in JSON and form bodies', () => {
    expect(redactText('{"access_token":"abc","token_type":"bearer","refresh_token":"def"}')).toBe(
      '{"access_token":"[redacted]","token_type":"bearer","refresh_token":"[redacted]"}',
    );
    expect(redactText('grant_type=authorization_code&code=xyz&code_verifier=vvv&client_id=c1')).toBe(
      'grant_type=authorization_code&code=[redacted]&code_verifier=[redacted]&client_id=c1',
    );
    expect(redactText('?client_id=a&client_secret=s3cret')).toBe('?client_id=a&client_secret=[redacted]');
    expect(redactHeader('Authorization', 'Bearer abc.def')).toBe('Bearer [redacted]');
    expect(redactHeader('cookie', 'session=1')).toBe('[redacted]');
    expect(redactHeader('origin', 'https://claude.ai')).toBe('https://claude.ai');
  });

  it('shortens evidence to one line', () => {
    expect(shorten('a\n  b', 10)).toBe('a b');
    expect(shorten('x'.repeat(20), 10)).toBe(`${'x'.repeat(9)}…`);
  });

  it('reads a Bearer challenge with quoted and bare parameters', () => {
    expect(parseChallenge('Bearer resource_metadata="https://a.example/.well-known/x", scope="a b", error=invalid_token')).toEqual({
      scheme: 'Bearer',
      params: { resource_metadata: 'https://a.example/.well-known/x', scope: 'a b', error: 'invalid_token' },
    });
    expect(parseChallenge(null)).toBeUndefined();
  });

  it('takes the fix text of every quirk from the catalogue', () => {
    for (const quirk of QUIRKS) expect(fixFor(quirk.id)).toMatchObject({ kind: 'quirk', rule: quirk.rule });
    expect(fixFor('pkce-s256')?.kind).toBe('rule');
  });
});
