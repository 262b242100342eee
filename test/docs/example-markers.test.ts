import { describe, expect, it } from 'vitest';
import { jitrInvocations, missingOutputLine, pageBlocks } from './examples.js';

// The rules test/docs/examples.test.ts applies to the docs, on small pages made here: a shell block without a marker
// is found, output blocks are compared with their placeholders, and the jitr commands of a block are read right.
const fence = '```';

describe('docs example markers', () => {
  it('reports a shell block that carries no marker, and reads the marked ones', () => {
    const page = [
      '<!-- example: run -->',
      `${fence}sh`,
      'jitr status',
      fence,
      '',
      `${fence}bash`,
      'jitr doctor',
      fence,
      '<!-- example: aws-only (needs a real account: serverless deploy) -->',
      `${fence}sh`,
      'npx serverless deploy',
      fence,
      `${fence}ts`,
      'const notShell = 1;',
      fence,
    ].join('\n');

    const { blocks, unmarked } = pageBlocks(page);

    expect(unmarked).toEqual([6]);
    expect(blocks.map(({ kind, line }) => [kind, line])).toEqual([
      ['run', 2],
      ['not-run', 10],
    ]);
    expect(blocks[1]!.reason).toBe('needs a real account: serverless deploy');
  });

  it('refuses a not-run marker without its reason, and a setup block that does not close its comment', () => {
    expect(pageBlocks(['<!-- example: aws-only () -->', `${fence}sh`, 'x', fence].join('\n')).unmarked).toEqual([2]);
    expect(() => pageBlocks(['<!-- example: setup', `${fence}sh`, 'x', fence, 'text'].join('\n'))).toThrow(/-->/);
    expect(() => pageBlocks(['<!-- example: output -->', `${fence}sh`, 'x', fence].join('\n'))).toThrow(/plain fence/);
  });

  it('matches an output block whose ids, times and durations vary, and not one whose words changed', () => {
    const printed = [
      'verdict        REJECT (profile generic, checked at 2026-12-02T03:51:35.467Z)',
      '  - CERTIFICATE_REVOKED_BY_CA: serial 3a834e20c2845d29b5 is on the CRL',
      'boot    20       20      0         0       6.10   7.00   7.50   7.50   71',
    ].join('\n');
    const shown = [
      'verdict        REJECT (profile generic, checked at 2026-11-22T07:22:41.010Z)',
      '  - CERTIFICATE_REVOKED_BY_CA: serial 1e3f… is on the CRL',
      'boot    20       20      0         0       6.34   8.38   8.87   8.87   …',
    ].join('\n');

    expect(missingOutputLine(shown, printed)).toBeUndefined();
    expect(missingOutputLine(shown.replace('REJECT', 'ACCEPT'), printed)).toMatch(/ACCEPT/);
    expect(missingOutputLine('boot    20       19…', printed)).toBe('boot    20       19…');
    expect(missingOutputLine([shown.split('\n')[1], shown.split('\n')[0]].join('\n'), printed)).toMatch(/verdict/);
  });

  it('reads the jitr command and flags of each line, after npx or not, across continuations and pipes', () => {
    const block = [
      'npx jitr ca create --profile generic --out .jitr/ca   # a comment --not-a-flag',
      'jitr preconfigure --ca-cert a.pem \\',
      '  --stage prod | grep x && jitr cert inspect c.pem --crl=x.crl',
      'aws iot describe-thing --thing-name jitr',
    ].join('\n');

    expect(jitrInvocations(block)).toEqual([
      { words: ['ca', 'create'], flags: ['--profile', '--out'] },
      { words: ['preconfigure'], flags: ['--ca-cert', '--stage'] },
      { words: ['cert', 'inspect'], flags: ['--crl'] },
    ]);
  });
});
