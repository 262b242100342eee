import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const { inlineComputedKeys, dropErrorRegistrations } = require('../../../../functions/build/esbuild-plugins.cjs') as {
  inlineComputedKeys: (source: string) => string;
  dropErrorRegistrations: (source: string, kept?: string[]) => string;
};

describe('dropErrorRegistrations', () => {
  it("drops the modelled errors' registrations and keeps the base exception's", () => {
    const source = [
      '_s_registry.registerError(SSMServiceException$, SSMServiceException);',
      'n0_registry.registerError(ParameterNotFound$, ParameterNotFound);',
      'n0_registry.registerError(AccessDeniedException$, AccessDeniedException);',
      'export var GetParameter$ = [9, n0, "GetParameter"];',
    ].join('\n');

    const rewritten = dropErrorRegistrations(source);

    expect(rewritten).toContain('_s_registry.registerError(SSMServiceException$, SSMServiceException);');
    expect(rewritten).not.toContain('ParameterNotFound');
    expect(rewritten).not.toContain('AccessDeniedException');
    expect(rewritten).toContain('GetParameter$');
  });
});

describe('dropErrorRegistrations with errors to keep', () => {
  it("keeps DynamoDB's ConditionalCheckFailedException, which Powertools Idempotency tells apart with instanceof", () => {
    const source = [
      '_s_registry.registerError(DynamoDBServiceException$, DynamoDBServiceException);',
      'n0_registry.registerError(BackupInUseException$, BackupInUseException);',
      'n0_registry.registerError(ConditionalCheckFailedException$, ConditionalCheckFailedException);',
    ].join('\n');

    const rewritten = dropErrorRegistrations(source, ['ConditionalCheckFailedException']);

    expect(rewritten).toContain('registerError(DynamoDBServiceException$');
    expect(rewritten).toContain('registerError(ConditionalCheckFailedException$, ConditionalCheckFailedException);');
    expect(rewritten).not.toContain('BackupInUseException');
  });
});

describe('inlineComputedKeys', () => {
  it('replaces computed keys naming module string constants by the strings themselves', () => {
    const source = [
      'const _h = "http";',
      'const _e = "error";',
      'export var A$ = [9, n0, "A", { [_h]: ["GET", "/a", 200], [_e]: _c }];',
    ].join('\n');

    const rewritten = inlineComputedKeys(source);

    expect(rewritten).toContain('{ "http": ["GET", "/a", 200], "error": _c }');
  });

  it('leaves computed keys it cannot resolve, and evaluates to the same objects', () => {
    const source = 'const _h = "http";\nconst key = "x";\nexports.value = { [_h]: 1, [key]: 2, [_other]: 3 };';
    const run = (code: string) => {
      const exports: { value?: unknown } = {};
      new Function('exports', '_other', code)(exports, 'other');
      return exports.value;
    };

    expect(inlineComputedKeys(source)).toContain('[key]: 2, [_other]: 3');
    expect(run(inlineComputedKeys(source))).toEqual(run(source));
  });
});
