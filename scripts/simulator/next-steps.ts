import { REASONS } from './model.js';

/** What a reason means and what to do next, for the devices that did not come online (text and HTML report). */
export const NEXT_STEPS: Record<string, { means: string; next: string }> = {
  [REASONS.notRegistered]: {
    means: 'AWS IoT never registered the certificate: its CA is not registered with auto-registration, or not trusted',
    next: 'register and trust the CA: jitr preconfigure --ca-cert <CA DIR>/ca.cert.pem --ca-key <CA DIR>/ca.key.pem --profile <profile> --stage <stage>',
  },
  [REASONS.stillPending]: {
    means: 'registered, but still PENDING_ACTIVATION: the onboarding Lambda did not activate it in time',
    next: 'jitr doctor --stage <stage> (rule, function, fleet configuration, dead-letter queue); then jitr replay',
  },
  [REASONS.revoked]: {
    means: 'the onboarding Lambda (or an operator) revoked the certificate',
    next: 'its reason is in the onboard function logs (locally: jitr local start --log, --decisions); jitr cert inspect CERT --ca CA',
  },
  [REASONS.expired]: {
    means: 'the device certificate is past its notAfter',
    next: 'issue the device a new certificate',
  },
  [REASONS.notYetValid]: {
    means: 'the device certificate is not valid yet',
    next: 'check the clocks, or issue it with a notBefore in the past',
  },
  [REASONS.connectRefused]: {
    means: 'ACTIVE, yet every CONNECT was closed: the policy does not let it connect as its Thing name',
    next: 'jitr doctor --stage <stage> (POLICY findings); the client id must equal the Thing name',
  },
  [REASONS.publishRefused]: {
    means: 'connected, but the telemetry publish was never acknowledged',
    next: 'the device policy must allow iot:Publish on <thing>/*: jitr doctor --stage <stage>',
  },
  [REASONS.inactive]: {
    means: 'the certificate is INACTIVE',
    next: 'aws iot update-certificate --certificate-id ID --new-status ACTIVE, or jitr replay',
  },
  [REASONS.timeout]: {
    means: 'gave up within --timeout without knowing more',
    next: 'a longer --timeout, or a lower --concurrency; jitr doctor --stage <stage>',
  },
  [REASONS.reissueFailed]: {
    means: 'the certificate could not be renewed for --rotate',
    next: 'check the CA directory (ca.key.pem must sign)',
  },
};

export function nextStepFor(reason: string | undefined): { means: string; next: string } {
  return (
    (reason !== undefined ? NEXT_STEPS[reason] : undefined) ?? {
      means: reason ?? 'unknown',
      next: 'jitr doctor --stage <stage>',
    }
  );
}
