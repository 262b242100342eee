import { readFileSync } from 'node:fs';
import { parseLocalReady } from '../aws/local-ready.js';
import type { Command, CommandInput, CommandOutcome } from '../cli/command.js';
import { InputError, UsageError } from '../cli/errors.js';
import { flag, oneOf, optionalString } from '../cli/flags.js';
import type { VendConfigInput } from '../../functions/vend/config.js';
import { VendConfigSchema } from '../../functions/vend/config.js';
import { withClients } from '../operator/command-support.js';
import { partitionOf } from '../operator/deployment.js';
import { callerScope } from '../operator/iot-reads.js';
import { dataAtsEndpoint } from '../operator/firmware.js';
import { stageFlag } from '../operator/stage-flags.js';
import { vendConfigParameterName } from '../operator/tokens.js';
import { configureVend } from '../operator/tokens-setup.js';

const DEFAULT_POLICY = 'jitr-vend-device';
const BALENA_API = 'https://api.balena-cloud.com';

/** The document `vend` reads, from the flags (checked with the function's own schema before anything is written). */
function vendConfig(input: CommandInput, stage: string, dataEndpoint: string, rootCaPem: string | undefined) {
  const mode = oneOf(input, 'mode', ['token', 'balena'] as const);
  if (!mode) throw new UsageError('--mode is required: token (a claim token per device) or balena (balenaCloud)');
  const sink = oneOf(input, 'sink', ['response', 'balena-env'] as const) ?? 'response';
  const usesBalena = mode === 'balena' || sink === 'balena-env';
  const config: VendConfigInput = {
    version: 1,
    policyName: optionalString(input, 'policy-name') ?? DEFAULT_POLICY,
    dataEndpoint,
    ...(rootCaPem !== undefined ? { rootCaPem } : {}),
    auth: { mode },
    sink:
      sink === 'balena-env'
        ? { mode: 'balena-env', service: optionalString(input, 'balena-service') ?? 'main' }
        : { mode: 'response' },
    ...(usesBalena
      ? {
          balena: {
            apiUrl: optionalString(input, 'balena-api-url') ?? BALENA_API,
            tokenParameter: optionalString(input, 'balena-token-parameter') ?? `/jitr/${stage}/vend/balena-token`,
          },
        }
      : {}),
  };
  const checked = VendConfigSchema.safeParse(config);
  if (!checked.success) {
    const problems = checked.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new UsageError(`the vending configuration would be invalid: ${problems.join('; ')}`);
  }
  return config;
}

function readServerCa(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError('FILE_UNREADABLE', `the emulator's server CA ${path} cannot be read`, { cause: error });
  }
}

/** A complete first request against the emulator: a claim token, then POST /devices with curl. */
function localExample(httpApi: string, serverCa: string, mqtt: string, stage: string): string {
  const port = new URL(mqtt).port;
  return [
    'Try it against the emulator:',
    `  TOKEN=$(jitr token create --device-id dev-1 --stage ${stage} --json | jq -r .token)`,
    `  curl -sS -X POST ${httpApi}/devices -H "Authorization: Bearer $TOKEN" \\`,
    `       -H 'content-type: application/json' -d '{"deviceId":"dev-1"}' > .jitr/dev-1.json`,
    `  jq -r .certificatePem .jitr/dev-1.json > .jitr/dev-1.cert.pem; jq -r .privateKey .jitr/dev-1.json > .jitr/dev-1.key.pem`,
    `  mosquitto_pub --cafile ${serverCa} -h localhost -p ${port} --cert .jitr/dev-1.cert.pem \\`,
    `       --key .jitr/dev-1.key.pem -i dev-1 -t dev-1/sensors -m '{"t":21}' -q 1`,
  ].join('\n');
}

async function run(input: CommandInput): Promise<CommandOutcome> {
  const stage = stageFlag(input);
  const dryRun = flag(input, 'dry-run');
  const local = input.io.env.JITR_LOCAL ? parseLocalReady(input.io.env.JITR_LOCAL) : undefined;
  const rootCaFlag = optionalString(input, 'root-ca');
  // Devices check the endpoint's server certificate against rootCaPem: locally the emulator's root, on AWS Amazon's.
  const rootCaPem =
    rootCaFlag !== undefined ? readServerCa(rootCaFlag) : local ? readServerCa(local.serverCa) : undefined;
  const parameter = vendConfigParameterName(stage);
  const result = await withClients(input, async (clients) => {
    const dataEndpoint = optionalString(input, 'data-endpoint') ?? (await dataAtsEndpoint(clients));
    const config = vendConfig(input, stage, dataEndpoint, rootCaPem);
    if (dryRun) return { config, policyCreated: false };
    const { region, accountId } = await callerScope(clients);
    const { policyCreated } = await configureVend(clients, {
      stage,
      config,
      scope: { partition: partitionOf(region), region, accountId },
    });
    return { config, policyCreated };
  });
  const { rootCaPem: _root, ...shown } = result.config;
  const data = { stage, parameter, dryRun, policyCreated: result.policyCreated, config: shown };
  const lines = [
    dryRun
      ? `Dry run: would write the vending configuration ${parameter} (nothing changed)`
      : `Wrote the vending configuration ${parameter} (auth ${result.config.auth.mode}; policy ${result.config.policyName}${result.policyCreated ? ', created' : ''})`,
  ];
  if (result.config.balena) {
    lines.push(
      `balena: store your balenaCloud API key as a SecureString: aws ssm put-parameter --type SecureString --name ${result.config.balena.tokenParameter} --value "$BALENA_API_KEY"`,
    );
  }
  if (local?.httpApi && result.config.auth.mode === 'token')
    lines.push(localExample(local.httpApi, local.serverCa, local.mqtt, stage));
  return { data, human: lines.join('\n') };
}

export const command: Command = {
  path: ['vend', 'setup'],
  summary: 'Write the vending endpoint configuration (token or balena mode) and make sure its device policy exists',
  usage:
    'Usage: jitr vend setup --mode token|balena [--stage S] [--policy-name NAME] [--data-endpoint HOST] [--root-ca FILE]\n' +
    '         [--sink response|balena-env] [--balena-api-url URL] [--balena-token-parameter NAME] [--balena-service S]\n' +
    '         [--region R] [--dry-run] [--json]',
  aws: true,
  description:
    "Opens the vending endpoint (POST /devices, DELETE /devices/ID) of a stage: writes the one JSON document the `vend` function reads (SSM /jitr/<stage>/vend/config; without it every request is refused with 503 VEND_NOT_CONFIGURED), checked with the function's own schema, and creates its least-privilege device policy if missing. Token mode: each device presents a claim token (`jitr token create`). Balena mode: devices present their balenaCloud device API key. Against the emulator (JITR_LOCAL) the devices' root CA is the emulator's, and a complete curl example is printed.",
  flags: {
    mode: 'token: a claim token per device; balena: balenaCloud device keys (required)',
    stage: 'deployment stage (default: dev)',
    'policy-name': `IoT policy attached to vended certificates, created if missing (default: ${DEFAULT_POLICY})`,
    'data-endpoint': 'the device endpoint returned to devices (default: DescribeEndpoint iot:Data-ATS)',
    'root-ca': "the root CA returned to devices (default: Amazon Root CA 1; with JITR_LOCAL the emulator's)",
    sink: "response: credentials in the HTTP answer; balena-env: into the device's balena environment (default: response)",
    'balena-api-url': `balenaCloud API (default: ${BALENA_API})`,
    'balena-token-parameter':
      'SSM SecureString holding the balenaCloud API key (default: /jitr/<stage>/vend/balena-token)',
    'balena-service': 'with --sink balena-env: the balena service whose variables get the credentials (default: main)',
    'dry-run': 'print the configuration and change nothing',
  },
  examples: ['jitr vend setup --mode token', 'jitr vend setup --mode balena --stage prod --region eu-west-1 --dry-run'],
  options: {
    mode: { type: 'string' },
    stage: { type: 'string' },
    'policy-name': { type: 'string' },
    'data-endpoint': { type: 'string' },
    'root-ca': { type: 'string' },
    sink: { type: 'string' },
    'balena-api-url': { type: 'string' },
    'balena-token-parameter': { type: 'string' },
    'balena-service': { type: 'string' },
    'dry-run': { type: 'boolean' },
  },
  run,
};
