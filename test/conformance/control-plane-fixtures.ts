import {
  GetRegistrationCodeCommand,
  type IoTClient,
  RegisterCACertificateCommand,
  RegisterCertificateCommand,
} from '@aws-sdk/client-iot';
import {
  createRootCa,
  createVerificationCertificate,
  type IssuedCa,
  type IssuedDevice,
  issueDeviceCertificate,
  type KeyAlgorithm,
} from '../../certs/issue.js';

/** What an SDK call failed with: the error name and the HTTP status the emulator answered. */
export interface CallFailure {
  name: string;
  status: number | undefined;
  message: string;
  error: Error & Record<string, unknown>;
}

export async function failureOf(call: Promise<unknown>): Promise<CallFailure> {
  try {
    await call;
  } catch (error) {
    const failure = error as Error & { $metadata?: { httpStatusCode?: number } } & Record<string, unknown>;
    return { name: failure.name, status: failure.$metadata?.httpStatusCode, message: failure.message, error: failure };
  }
  throw new Error('expected the call to fail, and it succeeded');
}

/** A fresh CA registered in DEFAULT mode with a verification certificate (ACTIVE, auto-registration on). */
export async function registeredCa(
  iot: IoTClient,
  options: { active?: boolean; autoRegistration?: boolean; commonName?: string; keyAlgorithm?: KeyAlgorithm } = {},
): Promise<IssuedCa> {
  const ca = await createRootCa({
    commonName: options.commonName ?? `Conformance CA ${Math.random()}`,
    ...(options.keyAlgorithm ? { keyAlgorithm: options.keyAlgorithm } : {}),
  });
  const { registrationCode } = await iot.send(new GetRegistrationCodeCommand({}));
  const verification = await createVerificationCertificate(ca, registrationCode ?? '');
  await iot.send(
    new RegisterCACertificateCommand({
      caCertificate: ca.certificatePem,
      verificationCertificate: verification.certificatePem,
      setAsActive: options.active ?? true,
      allowAutoRegistration: options.autoRegistration ?? true,
    }),
  );
  return ca;
}

/** A device certificate of `ca`, registered with the given status. */
export async function registeredDevice(
  iot: IoTClient,
  ca: IssuedCa,
  status: 'ACTIVE' | 'INACTIVE' = 'ACTIVE',
): Promise<IssuedDevice & { certificateArn: string }> {
  const device = await issueDeviceCertificate(ca, {
    subject: { commonName: `device-${Math.random().toString(36).slice(2)}` },
  });
  const registered = await iot.send(new RegisterCertificateCommand({ certificatePem: device.certificatePem, status }));
  return { ...device, certificateArn: registered.certificateArn ?? '' };
}

/** An IoT policy letting a device connect with its thing name as client id (the policy variable is literal text). */
const THING_NAME_VARIABLE = ['$', '{iot:Connection.Thing.ThingName}'].join('');
export const ALLOW_CONNECT_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: 'iot:Connect',
      Resource: `arn:aws:iot:us-east-1:000000000000:client/${THING_NAME_VARIABLE}`,
    },
  ],
});
