import { join } from 'node:path';
import { GetPolicyCommand, GetTopicRuleCommand, ListPolicyVersionsCommand } from '@aws-sdk/client-iot';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { createFleetCa, type FleetCa } from '../../../certs/fleet.js';
import { createVerificationCertificate, issueDeviceCertificate } from '../../../certs/issue.js';
import { parseCertificate } from '../../../certs/parse.js';
import { parseFleetConfigJson } from '../../../functions/fleet-config.js';
import { clientsFromEnv } from '../../../scripts/aws/clients.js';
import { THING } from '../../../scripts/operator/policy.js';
import { preconfigure } from '../../../scripts/operator/preconfigure.js';
import { iotClientFor, ssmClientFor, withEmulator } from '../../helpers/aws.js';
import { emulatorEnv, jitr, json, scratchDir } from './cli-harness.js';

const der = (pem: string) => parseCertificate(pem).der;

describe('jitr preconfigure', () => {
  const local = withEmulator();
  const dir = scratchDir();
  const snapshot = () => JSON.stringify(local.emulator.store);
  const fleetConfig = () => {
    const parameter = local.emulator.store.parameters.get('/jitr/dev/fleet-config');
    return parameter ? parseFleetConfigJson(parameter.value) : undefined;
  };
  const files = async (name: string, ca: FleetCa) => ({
    cert: dir.write(`${name}.cert.pem`, ca.certificatePem),
    key: dir.write(`${name}.key.pem`, ca.privateKeyPem),
  });

  it('registers the CA, policy, fleet configuration and rule, then changes nothing on a re-run', async () => {
    const ca = await createFleetCa('generic');
    const { cert, key } = await files('first', ca);

    const first = await jitr(
      local.emulator,
      'preconfigure',
      '--ca-cert',
      cert,
      '--ca-key',
      key,
      '--profile',
      'generic',
    );
    const before = snapshot();
    const again = await jitr(local.emulator, 'preconfigure', '--ca-cert', cert, '--profile', 'generic', '--json');

    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/ca-certificate\s+\S+\s+created/);
    expect(first.stdout).toMatch(/topic-rule\s+jitr_dev_\S+\s+created/);
    const stored = local.emulator.store.getCa(ca.certificateId);
    expect(stored?.status).toBe('ACTIVE');
    expect(stored?.autoRegistrationStatus).toBe('ENABLE');
    expect(fleetConfig()?.trustedCas.map((trusted) => trusted.certificateId)).toEqual([ca.certificateId]);
    const { rule } = await iotClientFor(local.emulator).send(
      new GetTopicRuleCommand({ ruleName: `jitr_dev_${ca.certificateId}` }),
    );
    expect(rule?.sql).toBe(`SELECT * FROM '$aws/events/certificates/registered/${ca.certificateId}'`);
    expect(rule?.actions?.[0]?.lambda?.functionArn).toBe(
      'arn:aws:lambda:us-east-1:000000000000:function:jitr-dev-onboard',
    );
    expect(rule?.errorAction?.sqs?.queueUrl).toMatch(/\/000000000000\/jitr-dev-onboard-dlq$/);
    expect(again.code).toBe(0);
    const result = json(again);
    expect(result.changed).toBe(false);
    expect((result.steps as { result: string }[]).map((step) => step.result)).toEqual([
      'unchanged',
      'unchanged',
      'unchanged',
      'unchanged',
    ]);
    expect(snapshot()).toBe(before);
  });

  it('installs a least-privilege policy bound to the attached thing', async () => {
    const { policyDocument } = await iotClientFor(local.emulator).send(
      new GetPolicyCommand({ policyName: 'jitr-device' }),
    );
    const text = policyDocument ?? '';

    expect(text).toContain(`client/${THING}`);
    expect(text).toContain('"iot:Connection.Thing.IsAttached":"true"');
    expect(text).toContain(`topic/$aws/things/${THING}/shadow/*`);
    expect(text).not.toMatch(/"iot:\*"|"Resource":"\*"/);
  });

  it('adds a second CA (DER, with a downloaded proof) beside the first', async () => {
    const tenantId = '6f1b2c3d-0000-4000-8000-00000000abcd';
    const ca = await createFleetCa('azure-sphere', { tenantId });
    const code = local.emulator.store.getRegistrationCode();
    const proof = await createVerificationCertificate(ca, code);
    const cert = dir.write('sphere.cer', der(ca.certificatePem));
    const proofFile = dir.write('verification.cer', der(proof.certificatePem));

    const run = await jitr(
      local.emulator,
      'preconfigure',
      '--ca-cert',
      cert,
      '--verification-cert',
      proofFile,
      '--profile',
      'azure-sphere',
      '--json',
    );

    expect(run.code, run.stdout).toBe(0);
    const config = fleetConfig();
    expect(config?.trustedCas).toHaveLength(2);
    expect(config?.trustedCas[1]).toMatchObject({ certificateId: ca.certificateId, tenantId, profile: 'azure-sphere' });
    expect(local.emulator.store.getTopicRule(`jitr_dev_${ca.certificateId}`)).toBeDefined();
  });

  it('changes nothing with --dry-run and prints the plan', async () => {
    const ca = await createFleetCa('microchip');
    const { cert, key } = await files('dry', ca);
    const before = snapshot();

    const run = await jitr(
      local.emulator,
      'preconfigure',
      '--ca-cert',
      cert,
      '--ca-key',
      key,
      '--profile',
      'microchip',
      '--dry-run',
      '--json',
    );

    expect(run.code).toBe(0);
    const result = json(run);
    expect(result.dryRun).toBe(true);
    expect((result.steps as { result: string }[]).map((step) => step.result)).toEqual([
      'would create',
      'unchanged',
      'would create',
      'would create',
    ]);
    expect(snapshot()).toBe(before);
  });

  it('prints the registration code and the download-proof command, and exits 2, without a key or proof', async () => {
    const ca = await createFleetCa('azure-sphere');
    const cert = dir.write('noproof.cer', der(ca.certificatePem));
    const before = snapshot();

    const run = await jitr(local.emulator, 'preconfigure', '--ca-cert', cert, '--profile', 'azure-sphere');
    const asJson = json(
      await jitr(local.emulator, 'preconfigure', '--ca-cert', cert, '--profile', 'azure-sphere', '--json'),
    );

    const code = local.emulator.store.getRegistrationCode();
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(
      `az sphere ca-certificate download-proof --resource-group <resource-group> --catalog <catalog> --name <ca-certificate-name> --verification-code ${code}`,
    );
    expect(asJson).toMatchObject({ registrationCode: code, error: { code: 'PROOF_REQUIRED' } });
    expect(snapshot()).toBe(before);
  });

  it('advises a microchip or generic CA by its key (--ca-key, jitr ca verification-cert) or --sni-only, never az sphere', async () => {
    const ca = await createFleetCa('microchip');
    const cert = dir.write('noproof-chip.pem', ca.certificatePem);

    const run = await jitr(local.emulator, 'preconfigure', '--ca-cert', cert, '--profile', 'microchip');

    const code = local.emulator.store.getRegistrationCode();
    expect(run.code).toBe(2);
    expect(run.stdout).not.toMatch(/az sphere/);
    expect(run.stdout).toContain(`jitr ca verification-cert --ca <CA directory> --code ${code} --out verification.pem`);
    expect(run.stdout).toMatch(/--ca-key FILE/);
    expect(run.stdout).toMatch(/--sni-only/);
  });

  it('shows the plan for --dry-run without a proof (exit 0), with what registering will need', async () => {
    const ca = await createFleetCa('azure-sphere');
    const cert = dir.write('noproof-plan.cer', der(ca.certificatePem));
    const before = snapshot();

    const run = await jitr(
      local.emulator,
      'preconfigure',
      '--ca-cert',
      cert,
      '--profile',
      'azure-sphere',
      '--dry-run',
      '--json',
    );

    expect(run.code, run.stderr).toBe(0);
    const result = json(run);
    expect(result).toMatchObject({
      dryRun: true,
      proofRequired: { registrationCode: local.emulator.store.getRegistrationCode() },
    });
    expect((result.proofRequired as { command: string }).command).toMatch(/^az sphere ca-certificate download-proof/);
    expect((result.steps as { step: string; result: string }[])[0]).toMatchObject({ result: 'would create' });
    expect(snapshot()).toBe(before);
  });

  it('refuses a verification certificate made for another code, changing nothing', async () => {
    const ca = await createFleetCa('generic');
    const proof = await createVerificationCertificate(ca, 'not-the-registration-code');
    const cert = dir.write('wrongcode.pem', ca.certificatePem);
    const proofFile = dir.write('wrongcode-proof.pem', proof.certificatePem);
    const before = snapshot();

    const run = await jitr(
      local.emulator,
      'preconfigure',
      '--ca-cert',
      cert,
      '--verification-cert',
      proofFile,
      '--profile',
      'generic',
      '--json',
    );

    expect(run.code).toBe(2);
    expect(json(run)).toMatchObject({ error: { code: 'VERIFICATION_CODE_MISMATCH' } });
    expect(snapshot()).toBe(before);
  });

  it('refuses a proof the CA did not sign, changing nothing', async () => {
    const ca = await createFleetCa('generic');
    const other = await createFleetCa('generic');
    const proof = await createVerificationCertificate(other, local.emulator.store.getRegistrationCode());
    const cert = dir.write('unsigned.pem', ca.certificatePem);
    const proofFile = dir.write('unsigned-proof.pem', proof.certificatePem);
    const before = snapshot();

    const run = await jitr(
      local.emulator,
      'preconfigure',
      '--ca-cert',
      cert,
      '--verification-cert',
      proofFile,
      '--profile',
      'generic',
      '--json',
    );

    expect(run.code).toBe(2);
    expect(json(run)).toMatchObject({ error: { code: 'VERIFICATION_NOT_SIGNED_BY_CA' } });
    expect(snapshot()).toBe(before);
  });

  it('refuses a CA whose key does not match, changing nothing', async () => {
    const ca = await createFleetCa('generic');
    const other = await createFleetCa('generic');
    const cert = dir.write('mismatch.pem', ca.certificatePem);
    const key = dir.write('mismatch.key', other.privateKeyPem);
    const before = snapshot();

    const run = await jitr(
      local.emulator,
      'preconfigure',
      '--ca-cert',
      cert,
      '--ca-key',
      key,
      '--profile',
      'generic',
      '--json',
    );

    expect(run.code).toBe(2);
    expect(json(run)).toMatchObject({ error: { code: 'CA_KEY_MISMATCH' } });
    expect(snapshot()).toBe(before);
  });

  it('refuses files of the wrong type with exit 2', async () => {
    const ca = await createFleetCa('generic');
    const device = await issueDeviceCertificate(ca, { subject: { commonName: 'device-1' } });
    const keyAsCert = dir.write('key-as-cert.pem', ca.privateKeyPem);
    const deviceCert = dir.write('device.pem', device.certificatePem);
    const certAsKey = dir.write('cert-as-key.pem', ca.certificatePem);
    const caCert = dir.write('types.pem', ca.certificatePem);
    const before = snapshot();

    const runs = await Promise.all([
      jitr(local.emulator, 'preconfigure', '--ca-cert', keyAsCert, '--sni-only', '--profile', 'generic', '--json'),
      jitr(local.emulator, 'preconfigure', '--ca-cert', deviceCert, '--sni-only', '--profile', 'generic', '--json'),
      jitr(
        local.emulator,
        'preconfigure',
        '--ca-cert',
        caCert,
        '--ca-key',
        certAsKey,
        '--profile',
        'generic',
        '--json',
      ),
      jitr(
        local.emulator,
        'preconfigure',
        '--ca-cert',
        join(dir.path, 'absent.pem'),
        '--sni-only',
        '--profile',
        'generic',
        '--json',
      ),
      jitr(local.emulator, 'preconfigure', '--ca-cert', caCert, '--sni-only', '--profile', 'tasmota', '--json'),
    ]);

    expect(runs.map((run) => run.code)).toEqual([2, 2, 2, 2, 2]);
    expect(runs.map((run) => (json(run).error as { code: string }).code)).toEqual([
      'MALFORMED_CERTIFICATE',
      'NOT_A_CA_CERTIFICATE',
      'CA_KEY_UNREADABLE',
      'FILE_UNREADABLE',
      'USAGE',
    ]);
    expect(snapshot()).toBe(before);
  });

  it('refuses to overwrite a malformed fleet configuration, changing nothing', async () => {
    const ssm = ssmClientFor(local.emulator);
    const ca = await createFleetCa('generic');
    const { cert, key } = await files('malformed', ca);
    await ssm.send(
      new PutParameterCommand({ Name: '/jitr/broken/fleet-config', Value: '{"version":2}', Type: 'String' }),
    );
    const before = snapshot();

    const run = await jitr(
      local.emulator,
      'preconfigure',
      '--ca-cert',
      cert,
      '--ca-key',
      key,
      '--profile',
      'generic',
      '--stage',
      'broken',
      '--json',
    );

    expect(run.code).toBe(1);
    expect(json(run)).toMatchObject({ error: { code: 'FLEET_CONFIG_INVALID' } });
    expect((json(run).error as { message: string }).message).toContain('version');
    expect(snapshot()).toBe(before);
  });

  it('keeps both CAs when two preconfigure runs write the fleet configuration at the same time', async () => {
    const stage = 'race';
    const [a, b] = await Promise.all([createFleetCa('generic'), createFleetCa('generic')]);
    const clients = clientsFromEnv(emulatorEnv(local.emulator));
    const run = (ca: FleetCa) =>
      preconfigure(clients, { caCertificate: ca.certificatePem, caKey: ca.privateKeyPem, profile: 'generic', stage });

    await Promise.all([run(a), run(b)]);

    const parameter = local.emulator.store.parameters.get(`/jitr/${stage}/fleet-config`)?.value ?? '';
    const trusted = parseFleetConfigJson(parameter).trustedCas.map((ca) => ca.certificateId);
    expect(trusted.sort()).toEqual([a.certificateId, b.certificateId].sort());
  });

  it('brings a deactivated CA and a disabled rule back, and keeps the policy within five versions', async () => {
    const iot = iotClientFor(local.emulator);
    const ca = await createFleetCa('generic');
    const { cert, key } = await files('repair', ca);
    const policyName = 'jitr-versions';
    await jitr(
      local.emulator,
      'preconfigure',
      '--ca-cert',
      cert,
      '--ca-key',
      key,
      '--profile',
      'generic',
      '--policy-name',
      policyName,
    );
    const store = local.emulator.store;
    const policy = store.getPolicy(policyName);
    if (!policy) throw new Error('policy missing');
    // Four older hand-made versions: the policy is at the limit and its default is not ours.
    const versions = [2, 3, 4, 5].map((n) => ({
      versionId: String(n),
      document: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: `arn:x:${n}` }],
      }),
      isDefaultVersion: n === 5,
      createDate: policy.creationDate + n,
    }));
    store.putPolicy({
      ...policy,
      versions: [{ ...policy.versions[0]!, isDefaultVersion: false }, ...versions],
      nextVersionId: 6,
    });
    const caRecord = store.getCa(ca.certificateId);
    if (!caRecord) throw new Error('ca missing');
    store.putCa({ ...caRecord, status: 'INACTIVE', autoRegistrationStatus: 'DISABLE' });
    const rule = store.getTopicRule(`jitr_dev_${ca.certificateId}`);
    if (!rule) throw new Error('rule missing');
    store.putTopicRule({ ...rule, ruleDisabled: true });

    const run = await jitr(
      local.emulator,
      'preconfigure',
      '--ca-cert',
      cert,
      '--profile',
      'generic',
      '--policy-name',
      policyName,
      '--json',
    );

    expect(run.code, run.stdout).toBe(0);
    expect((json(run).steps as { action: string }[]).map((step) => step.action)).toEqual([
      'update',
      'update',
      'unchanged',
      'update',
    ]);
    expect(store.getCa(ca.certificateId)).toMatchObject({ status: 'ACTIVE', autoRegistrationStatus: 'ENABLE' });
    expect(store.getTopicRule(`jitr_dev_${ca.certificateId}`)?.ruleDisabled).toBe(false);
    const { policyVersions } = await iot.send(new ListPolicyVersionsCommand({ policyName }));
    expect(policyVersions?.map((version) => version.versionId)).toEqual(['2', '3', '4', '5', '6']);
    expect(policyVersions?.find((version) => version.isDefaultVersion)?.versionId).toBe('6');
  });
});
