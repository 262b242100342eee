/** Base error of `functions/`: every failure the Lambdas raise on purpose has a stable machine-readable code. */
export class OnboardError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OnboardError';
    this.code = code;
  }
}

/** The fleet configuration document is missing, not JSON, or does not match the schema. Nothing is processed. */
export class FleetConfigError extends OnboardError {
  constructor(code: 'FLEET_CONFIG_MISSING' | 'FLEET_CONFIG_INVALID', message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'FleetConfigError';
  }
}

/** A required environment variable of the Lambda is absent. */
export class MissingEnvironmentError extends OnboardError {
  constructor(variable: string) {
    super('MISSING_ENVIRONMENT', `environment variable ${variable} is not set`);
    this.name = 'MissingEnvironmentError';
  }
}

/** The workflow could not settle within its step budget (a Thing kept changing under it); Lambda retries the event. */
export class WorkflowStalledError extends OnboardError {
  constructor(message: string) {
    super('WORKFLOW_STALLED', message);
    this.name = 'WorkflowStalledError';
  }
}
