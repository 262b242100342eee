import { describe, expect, it } from 'vitest';
import { demoDocument, formatDemo } from '../../scripts/demo/format.js';
import { runDemo } from '../../scripts/demo/run.js';

// `make demo` in small: the newcomer's first contact must keep working end to end.
describe('jitr demo', () => {
  it('onboards a small mixed fleet, rejects every bad device with its reason, and shows the status', async () => {
    const said: string[] = [];

    const result = await runDemo({ devices: 4, say: (line) => said.push(line) });

    expect(result.ok).toBe(true);
    expect(result.fleet.boot).toMatchObject({ devices: 4, online: 4 });
    expect(Object.fromEntries(result.verdicts.map((v) => [v.label, [v.outcome, v.reason]]))).toEqual({
      expired: ['rejected', 'CERTIFICATE_EXPIRED'],
      'foreign CA claim': ['rejected', 'CERTIFICATE_REVOKED'],
      'wrong tenant': ['rejected', 'NOT_REGISTERED'],
    });
    expect(result.verdicts.find((v) => v.label === 'foreign CA claim')?.onboardReasons).toContain(
      'THING_BOUND_TO_OTHER_CA',
    );
    expect(result.rightfulOwnerOnline).toBe(true);
    expect(said.some((line) => line.startsWith('preconfigure sphere-tenant'))).toBe(true);
    const text = formatDemo(result);
    expect(text).toContain('$ jitr status');
    expect(text).toMatch(/^OK: 4\/4 good devices online, 3\/3 bad devices rejected/m);
    expect(demoDocument(result)).toMatchObject({ ok: true, fleet: { online: 4 } });
  }, 90_000);
});
