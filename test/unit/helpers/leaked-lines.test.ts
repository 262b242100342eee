import { describe, expect, it } from 'vitest';
import { leakedLines } from '../../helpers/leaked-lines.js';

// The patterns test/setup/no-leaked-logs.ts fails a test file for.
describe('leakedLines', () => {
  it('finds emulator events, Lambda lines, structured log records and runtime errors', () => {
    const leaks = [
      '{"component":"gateway","event":"lambda-stopped","code":"INVOCATIONS_DROPPED","dropped":0}',
      '[jitr-dev-onboard] {"level":"ERROR","message":"fleet configuration is invalid"}',
      '{"timestamp":"2026-12-02T03:48:41.544Z","level":"WARN","message":"retrying"}',
      'lambda-error Runtime.ExitError: the container exited with code 1',
    ];
    expect(leakedLines([...leaks, ''].join('\n'))).toEqual(leaks);
  });

  it('leaves what tests and people print alone', () => {
    const text = [
      'jitr local: gateway lambda-error Runtime.Cancelled  functionName=f',
      'emulator log of "a test" (2 lines):',
      '  | {"component":"gateway","event":"lambda-error","code":"Runtime.ExitError"}',
      '[####------] 4/10 online',
      '{"ok":true,"devices":4}',
      'demo: Booting 4 devices',
    ].join('\n');
    expect(leakedLines(text)).toEqual([]);
  });
});
