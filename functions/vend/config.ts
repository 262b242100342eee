import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import * as z from 'zod/mini';
import type { ParameterReader } from '../fleet-config.js';
import { notConfigured } from './errors.js';

/**
 * The vending configuration: ONE JSON document in SSM Parameter Store (name in JITR_VEND_CONFIG_PARAMETER). Without it
 * every request is refused with 503 VEND_NOT_CONFIGURED: the endpoint is never open by default.
 *
 * {
 *   "version": 1,
 *   "policyName": "jitr-vend-device",          IoT policy attached to every vended certificate (must exist)
 *   "dataEndpoint": "abc123-ats.iot.us-east-1.amazonaws.com",
 *   "rootCaPem": "-----BEGIN CERTIFICATE-----...",   optional; default Amazon Root CA 1
 *   "thingTypeName": "vend-device",             optional (must exist)
 *   "auth": { "mode": "token" } | { "mode": "balena" },
 *   "sink": { "mode": "response" } | { "mode": "balena-env", "service": "main" },
 *   "balena": { "apiUrl": "https://api.balena-cloud.com", "tokenParameter": "/jitr/prod/vend/balena-token" },
 *   "rateLimit": { "requests": 5, "windowSeconds": 60, "failedAuthPerSource": 20 }
 * }
 * `requests` counts authenticated requests per device id; `failedAuthPerSource` counts refused credentials per source
 * IP, both in the same window (docs/vending.md).
 */
const POLICY_NAME = /^[\w+=,.@-]{1,128}$/;
const THING_TYPE = /^[a-zA-Z0-9:_-]{1,128}$/;
const HOST = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const PARAMETER = /^\/[a-zA-Z0-9_.\-/]{1,1000}$/;

const httpUrl = z.string().check(
  z.refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'https:' || url.protocol === 'http:';
    } catch {
      return false;
    }
  }, 'must be an http(s) URL'),
);

export const VendConfigSchema = z
  .strictObject({
    version: z.literal(1),
    policyName: z.string().check(z.regex(POLICY_NAME, 'must be an IoT policy name')),
    dataEndpoint: z.string().check(z.regex(HOST, 'must be a host name')),
    rootCaPem: z.optional(z.string().check(z.minLength(1), z.maxLength(16_384))),
    thingTypeName: z.optional(z.string().check(z.regex(THING_TYPE, 'must be a thing type name'))),
    auth: z.discriminatedUnion('mode', [
      z.strictObject({ mode: z.literal('token') }),
      z.strictObject({ mode: z.literal('balena') }),
    ]),
    sink: z._default(
      z.discriminatedUnion('mode', [
        z.strictObject({ mode: z.literal('response') }),
        z.strictObject({
          mode: z.literal('balena-env'),
          service: z.string().check(z.regex(/^[a-zA-Z0-9_.-]{1,63}$/, 'must be a service name')),
        }),
      ]),
      { mode: 'response' },
    ),
    balena: z.optional(
      z.strictObject({
        apiUrl: httpUrl,
        tokenParameter: z.string().check(z.regex(PARAMETER, 'must be an SSM parameter name')),
      }),
    ),
    rateLimit: z._default(
      z.strictObject({
        requests: z.int().check(z.minimum(1), z.maximum(1000)),
        windowSeconds: z.int().check(z.minimum(1), z.maximum(86_400)),
        failedAuthPerSource: z._default(z.int().check(z.minimum(1), z.maximum(10_000)), 20),
      }),
      { requests: 5, windowSeconds: 60, failedAuthPerSource: 20 },
    ),
  })
  .check(
    z.refine(
      (config) => (config.auth.mode !== 'balena' && config.sink.mode !== 'balena-env') || config.balena !== undefined,
      { message: 'balena auth or the balena-env sink need the balena section', path: ['balena'] },
    ),
  );

export type VendConfig = z.output<typeof VendConfigSchema>;
export type VendConfigInput = z.input<typeof VendConfigSchema>;

export function parseVendConfig(text: string): VendConfig {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw notConfigured('the vending configuration is not JSON', error);
  }
  const result = VendConfigSchema.safeParse(document);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw notConfigured(`the vending configuration is invalid: ${problems.join('; ')}`);
  }
  return result.data;
}

/** Amazon Root CA 1 (RSA 2048), which signs every ATS data endpoint, from the runtime's own trust store. */
let amazonRoot: string | undefined;
export function amazonRootCa1(): string | undefined {
  amazonRoot ??= rootCertificates.find((pem) => /(^|\n)CN=Amazon Root CA 1$/m.test(new X509Certificate(pem).subject));
  return amazonRoot;
}

/**
 * The configuration as `read` returns it: the handler's reader is Powertools Parameters' cached SSM reader (30 s per
 * container, so a change shows within that; a missing parameter is never cached). The text is parsed again only when
 * it changed, so a warm container does not validate the same document on every request.
 */
export class VendConfigSource {
  private parsed: { text: string; config: VendConfig } | undefined;

  constructor(
    private readonly parameterName: string,
    private readonly read: ParameterReader,
  ) {}

  async get(): Promise<VendConfig> {
    const text = await this.read(this.parameterName);
    if (text === undefined) throw notConfigured(`SSM parameter ${this.parameterName} does not exist`);
    if (this.parsed?.text !== text) this.parsed = { text, config: parseVendConfig(text) };
    return this.parsed.config;
  }
}
