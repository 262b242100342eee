import { LambdaRunnerError } from './errors.js';

/**
 * Serverless Framework v3 variables (`${self:...}`, `${sls:stage}`, `${opt:stage, 'dev'}`, `${aws:region}`,
 * `${aws:accountId}`, `${env:NAME, default}`) resolved the way `serverless package` would for a local stage.
 */
export interface VariableSources {
  stage: string;
  region: string;
  accountId: string;
  /** CLI options (`--stage`, `--region`); absent ones fall back to the expression's default. */
  options: Record<string, string | undefined>;
  env: Record<string, string | undefined>;
}

const WHOLE = /^\$\{([^{}]+)\}$/;
const ANY = /\$\{([^{}]+)\}/g;
const MAX_DEPTH = 20;

function getPath(root: unknown, path: string): unknown {
  let value = root;
  for (const key of path.split('.').filter(Boolean)) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function literalDefault(text: string): unknown {
  const trimmed = text.trim();
  const quoted = /^(['"])(.*)\1$/.exec(trimmed);
  if (quoted) return quoted[2];
  if (/^-?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  if (trimmed === 'true' || trimmed === 'false') return trimmed === 'true';
  return undefined;
}

export class VariableResolver {
  constructor(
    private readonly config: unknown,
    private readonly sources: VariableSources,
  ) {}

  /** Resolves every variable in a value (deeply); throws LambdaRunnerError UNRESOLVED_VARIABLE. */
  resolve(value: unknown, depth = 0): unknown {
    if (depth > MAX_DEPTH) throw new LambdaRunnerError('UNRESOLVED_VARIABLE', 'variables nest too deep (a cycle?)');
    if (typeof value === 'string') return this.resolveString(value, depth);
    if (Array.isArray(value)) return value.map((item) => this.resolve(item, depth));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolve(v, depth)]));
    }
    return value;
  }

  private resolveString(text: string, depth: number): unknown {
    // `${AWS::Region}` and friends are CloudFormation's (Fn::Sub), not the framework's: left for the intrinsic resolver.
    const pseudo = (expression: string) => expression.trim().startsWith('AWS::');
    const whole = WHOLE.exec(text);
    if (whole?.[1] !== undefined && pseudo(whole[1])) return text;
    // A string that is one variable takes the variable's type (an object from ${self:custom.x}, a number...).
    if (whole?.[1] !== undefined) return this.resolve(this.expression(whole[1], depth), depth + 1);
    return text.replace(ANY, (match, expression: string) => {
      if (pseudo(expression)) return match;
      const value = this.resolve(this.expression(expression, depth), depth + 1);
      if (value !== null && typeof value === 'object') {
        throw new LambdaRunnerError('UNRESOLVED_VARIABLE', `\${${expression}} is an object inside a string`);
      }
      return String(value);
    });
  }

  private expression(expression: string, depth: number): unknown {
    const [source = '', ...fallbacks] = splitTopLevel(expression);
    const value = this.lookup(source.trim(), depth);
    if (value !== undefined) return value;
    for (const fallback of fallbacks) {
      const trimmed = fallback.trim();
      const literal = literalDefault(trimmed);
      if (literal !== undefined) return literal;
      const nested = this.lookup(trimmed, depth);
      if (nested !== undefined) return nested;
    }
    throw new LambdaRunnerError('UNRESOLVED_VARIABLE', `\${${expression}} has no value locally`);
  }

  private lookup(source: string, depth: number): unknown {
    const colon = source.indexOf(':');
    if (colon < 0) return undefined;
    const kind = source.slice(0, colon);
    const path = source.slice(colon + 1);
    switch (kind) {
      case 'self':
        return this.resolve(getPath(this.config, path), depth + 1);
      case 'sls':
        if (path === 'stage') return this.sources.stage;
        if (path === 'instanceId') return 'local';
        return undefined;
      case 'opt':
        return this.sources.options[path];
      case 'aws':
        if (path === 'region') return this.sources.region;
        if (path === 'accountId') return this.sources.accountId;
        return undefined;
      case 'env':
        return this.sources.env[path];
      default:
        throw new LambdaRunnerError('UNRESOLVED_VARIABLE', `variable source "${kind}:" is not supported locally`);
    }
  }
}

/** Splits `opt:stage, 'dev'` on commas outside quotes. */
function splitTopLevel(expression: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (const c of expression) {
    if (quote) {
      if (c === quote) quote = undefined;
      current += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      current += c;
    } else if (c === ',') {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts;
}
