import * as z from 'zod/mini';
import { parseCrlLocation } from './crl/location.js';
import { FleetConfigError } from './errors.js';

/**
 * The fleet configuration: ONE JSON document in SSM Parameter Store (name in JITR_FLEET_CONFIG_PARAMETER), written by
 * `jitr preconfigure` and read by the onboarding and reconcile Lambdas. It says which CAs this pipeline owns and how to
 * turn each CA's device certificates into Things. A CA that is not listed is not ours: its certificates are left alone.
 *
 * Example:
 * {
 *   "version": 1,
 *   "trustedCas": [{
 *     "certificateId": "<64 hex: the CA's AWS IoT certificateId>",
 *     "label": "sphere-prod",
 *     "profile": "azure-sphere",
 *     "tenantId": "6f1b2c3d-0000-4000-8000-00000000abcd",
 *     "policyName": "jitr-device",
 *     "thingTypeName": "sphere-device",
 *     "rotationGraceHours": 48,
 *     "maxCertificatesPerThing": 4,
 *     "deny": { "deviceIds": [], "serialNumbers": [], "certificateIds": [] },
 *     "crl": { "source": "s3://fleet-crls/sphere-prod.crl", "failClosed": true }
 *   }]
 * }
 */

const HEX64 = /^[0-9a-f]{64}$/;
/** IoT policy names: [\w+=,.@-]{1,128}. */
const POLICY_NAME = /^[\w+=,.@-]{1,128}$/;
/** Thing type and thing group names: [a-zA-Z0-9:_-]{1,128}. */
const THING_TYPE_OR_GROUP = /^[a-zA-Z0-9:_-]{1,128}$/;

/** zod/mini keeps the Lambda bundle small (the full zod API adds ~400 KB minified). */
const certificateIdSchema = z
  .string()
  .check(z.toLowerCase(), z.regex(HEX64, 'must be a certificateId: 64 hex digits (SHA-256 of the DER)'));

const regexSource = z.string().check(
  z.refine(
    (source) => {
      try {
        new RegExp(source);
        return true;
      } catch {
        return false;
      }
    },
    { message: 'must be a valid JavaScript regular expression' },
  ),
);

const crlSource = z.string().check(
  z.refine((source) => parseCrlLocation(source).ok, {
    message: 'must be an http(s) URL, s3://bucket/key, ssm:/parameter/name or dp',
  }),
);

const boundedString = (max: number) => z.string().check(z.minLength(1, 'must not be empty'), z.maxLength(max));

export const TrustedCaSchema = z.strictObject({
  /** AWS IoT certificateId of the registered CA certificate (lowercase hex SHA-256 of its DER). */
  certificateId: certificateIdSchema,
  /** Free text for humans and logs. */
  label: z.optional(z.string().check(z.maxLength(128))),
  /** Device identity profile (certs/): how the device ID and thing name are read from the certificate. */
  profile: z.enum(['azure-sphere', 'microchip', 'generic'], 'must be azure-sphere, microchip or generic'),
  /** Expected tenant: the Azure Sphere tenant GUID the CA issues for (required for azure-sphere). */
  tenantId: z.optional(boundedString(128)),
  /** generic profile: regular expression applied to the Subject CN; its first capture group (or all of it) is the device ID. */
  pattern: z.optional(regexSource),
  /** IoT policy attached to every certificate of this CA. */
  policyName: z.string().check(z.regex(POLICY_NAME, 'must be an IoT policy name')),
  /** Thing type given to Things created for this CA (must already exist). */
  thingTypeName: z.optional(z.string().check(z.regex(THING_TYPE_OR_GROUP, 'must be a thing type name'))),
  /** Static thing group new Things are added to (must already exist). Costs one API call per new device. */
  thingGroupName: z.optional(z.string().check(z.regex(THING_TYPE_OR_GROUP, 'must be a thing group name'))),
  /** How long a superseded certificate of the same device stays valid after its successor registered. */
  rotationGraceHours: z._default(z.number().check(z.minimum(0), z.maximum(24 * 365)), 48),
  /** Upper bound of live certificates per Thing; the oldest beyond it are retired. */
  maxCertificatesPerThing: z._default(z.int().check(z.minimum(1), z.maximum(10)), 4),
  /** Certificates that are always revoked (reason DENIED): by device ID / thing name, serial number, certificateId. */
  deny: z._default(
    z.strictObject({
      deviceIds: z._default(z.array(boundedString(256)), []),
      serialNumbers: z._default(z.array(boundedString(128)), []),
      certificateIds: z._default(z.array(boundedString(128)), []),
    }),
    { deviceIds: [], serialNumbers: [], certificateIds: [] },
  ),
  /**
   * The CA's certificate revocation list (docs/revocation.md): where it lives, and whether a device is held back
   * (failClosed, the default) or onboarded (failOpen) while no current, trusted CRL can be had.
   */
  crl: z.optional(
    z.strictObject({
      source: crlSource,
      failClosed: z._default(z.boolean(), true),
    }),
  ),
  /** CA certificateIds this CA succeeds: Things bound to them may take this CA's certificates (a CA rollover). */
  rolloverFrom: z._default(z.array(certificateIdSchema), []),
});

export const FleetConfigSchema = z
  .strictObject({
    version: z.literal(1, 'must be 1'),
    trustedCas: z.array(TrustedCaSchema),
  })
  .check(
    z.superRefine((config, ctx) => {
      const seen = new Set<string>();
      config.trustedCas.forEach((ca, index) => {
        if (seen.has(ca.certificateId)) {
          ctx.addIssue({
            code: 'custom',
            input: ca.certificateId,
            path: ['trustedCas', index, 'certificateId'],
            message: `CA ${ca.certificateId} is listed twice`,
          });
        }
        seen.add(ca.certificateId);
        if (ca.profile === 'azure-sphere' && !ca.tenantId) {
          ctx.addIssue({
            code: 'custom',
            input: ca,
            path: ['trustedCas', index, 'tenantId'],
            message: 'azure-sphere CAs need the tenant GUID they issue for',
          });
        }
      });
    }),
  );

/** The fleet configuration after validation and defaults. */
export type FleetConfig = z.output<typeof FleetConfigSchema>;
/** One trusted CA after validation and defaults. */
export type TrustedCa = z.output<typeof TrustedCaSchema>;
/** What `jitr preconfigure` may write: defaults may be omitted. */
export type FleetConfigInput = z.input<typeof FleetConfigSchema>;

/**
 * The most the document may hold: an SSM parameter takes 8 KB in the advanced tier, which Intelligent-Tiering picks
 * once it outgrows the standard tier's 4 KB
 * (https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html).
 */
export const FLEET_CONFIG_MAX_CHARACTERS = 8192;

/** Validates a parsed document. Throws FleetConfigError (FLEET_CONFIG_INVALID) listing every problem. */
export function parseFleetConfig(document: unknown): FleetConfig {
  const result = FleetConfigSchema.safeParse(document);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new FleetConfigError('FLEET_CONFIG_INVALID', `fleet configuration is invalid: ${problems.join('; ')}`);
  }
  return result.data;
}

/** Parses the JSON text of the SSM parameter. Throws FleetConfigError (FLEET_CONFIG_INVALID). */
export function parseFleetConfigJson(text: string): FleetConfig {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new FleetConfigError('FLEET_CONFIG_INVALID', 'fleet configuration is not valid JSON', { cause: error });
  }
  return parseFleetConfig(document);
}

export function trustedCa(config: FleetConfig, caCertificateId: string): TrustedCa | undefined {
  const id = caCertificateId.toLowerCase();
  return config.trustedCas.find((ca) => ca.certificateId === id);
}

/** Reads the parameter's text; returns undefined when the parameter does not exist. */
export type ParameterReader = (name: string) => Promise<string | undefined>;

/**
 * Per-container cache of the fleet configuration with a short TTL, so an update by `jitr preconfigure` is picked up within
 * a minute without reading SSM on every event. A missing or broken document throws (and is not cached): nothing is processed.
 */
export class FleetConfigSource {
  private cached: { config: FleetConfig; expiresAt: number } | undefined;

  constructor(
    private readonly parameterName: string,
    private readonly read: ParameterReader,
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<FleetConfig> {
    const now = this.now();
    if (this.cached && this.cached.expiresAt > now) return this.cached.config;
    const text = await this.read(this.parameterName);
    if (text === undefined) {
      this.cached = undefined;
      throw new FleetConfigError('FLEET_CONFIG_MISSING', `SSM parameter ${this.parameterName} does not exist`);
    }
    const config = parseFleetConfigJson(text);
    this.cached = { config, expiresAt: now + this.ttlMs };
    return config;
  }

  invalidate(): void {
    this.cached = undefined;
  }
}
