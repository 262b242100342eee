import { afterAll, describe, expect, it } from 'vitest';
import { scratchDir } from '../../helpers/openssl.js';
import { OpensslPathFactory, opensslVerdict } from '../../helpers/openssl-paths.js';
import { makeRfc5280Cases } from '../../helpers/rfc5280-cases.js';
import { jitr } from './run-cli.js';

// Issue 12's five certificates, made by openssl: `jitr cert inspect` refuses each with its code (exit 3), as
// `openssl verify` refuses them.
const scratch = scratchDir('jitr-cli-rfc5280-');
afterAll(() => scratch.cleanup());
const made = makeRfc5280Cases(new OpensslPathFactory(scratch));

describe('jitr cert inspect on the RFC 5280 cases', () => {
  for (const testCase of made.cases) {
    it(`refuses ${testCase.name} with ${testCase.code}, exit 3, as openssl verify does`, () => {
      const run = jitr([
        'cert',
        'inspect',
        testCase.leaf.path,
        '--ca',
        testCase.ca.path,
        '--profile',
        'generic',
        '--at',
        made.at.toISOString(),
        '--json',
      ]);

      expect(run.status).toBe(3);
      const json = run.json as { verdict: string; reasons: { code: string; message: string }[] };
      expect(json.verdict).toBe('reject');
      expect(json.reasons.map((r) => r.code)).toContain(testCase.code);
      expect(json.reasons.find((r) => r.code === testCase.code)?.message).toContain(testCase.deviceId);
      expect(opensslVerdict({ anchor: testCase.ca.path, certificate: testCase.leaf.path, at: made.at }).ok).toBe(false);
    });
  }
});
