// esbuild plugins for the Lambda bundles (serverless.yml: custom.esbuild.plugins). CommonJS because serverless-esbuild
// loads this file with require().
//
// Why: the AWS SDK's generated schema modules (dist-es/schemas/schemas_0.js) describe every operation of a service with
// object literals keyed by computed properties, `{ [_h]: [...] }`, where `_h` is a module constant ("http"). esbuild
// must assume a computed key can run code, so it keeps every schema of every operation: ~110 KB for IoT, ~30 KB for SSM.
// Replacing each computed key by the string it names is exactly equivalent and lets esbuild drop the operations the
// bundle never imports.
const { readFile } = require('node:fs/promises');

const SCHEMA_MODULE = /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/;
const STRING_CONSTANT = /^const (_\w+) = ("(?:[^"\\]|\\.)*");$/gm;
const COMPUTED_KEY = /\[(_\w+)\]:/g;

/** Rewrites `[_name]:` keys to `"value":` for every `const _name = "value";` of the module. */
function inlineComputedKeys(source) {
  const constants = new Map();
  for (const match of source.matchAll(STRING_CONSTANT)) constants.set(match[1], match[2]);
  return source.replace(COMPUTED_KEY, (whole, name) => {
    const literal = constants.get(name);
    return literal === undefined ? whole : `${literal}:`;
  });
}

// SSM models 140 error classes (~40 KB minified) and registers every one at load, so none can be dropped. The Lambdas
// recognise SSM errors by name only (ParameterNotFound), and an error the registry does not know still arrives with its
// name, message and $metadata, as the client's base SSMServiceException. So SSM's schema module keeps only the base
// exception's registration; DynamoDB's and IoT's keep theirs (Powertools tests `instanceof ConditionalCheckFailedException`).
const SSM_SCHEMA_MODULE = /[\\/]@aws-sdk[\\/]client-ssm[\\/]/;
// DynamoDB models 35 errors (~10 KB minified); the idempotency layer tells only ConditionalCheckFailedException apart
// (Powertools checks it with instanceof), and the SDK's retry strategy recognises throttling by the error's name. So its
// schema module keeps the base exception's registration and that one.
const DYNAMODB_SCHEMA_MODULE = /[\\/]@aws-sdk[\\/]client-dynamodb[\\/]/;
const DYNAMODB_KEPT_ERRORS = ['ConditionalCheckFailedException'];
const ERROR_REGISTRATION = /^(?!_s_registry\.)\w+_registry\.registerError\((\w+)\$, \w+\);$/gm;

/** Drops the registrations of a schema module's modelled errors, keeping the service's base exception and `kept`. */
function dropErrorRegistrations(source, kept = []) {
  return source.replace(ERROR_REGISTRATION, (line, name) => (kept.includes(name) ? line : ''));
}

const sdkSchemaKeys = {
  name: 'jitr-sdk-schema-keys',
  setup(build) {
    build.onLoad({ filter: SCHEMA_MODULE }, async (args) => {
      const source = inlineComputedKeys(await readFile(args.path, 'utf8'));
      if (SSM_SCHEMA_MODULE.test(args.path)) return { contents: dropErrorRegistrations(source), loader: 'js' };
      if (DYNAMODB_SCHEMA_MODULE.test(args.path)) {
        return { contents: dropErrorRegistrations(source, DYNAMODB_KEPT_ERRORS), loader: 'js' };
      }
      return { contents: source, loader: 'js' };
    });
  },
};

// Powertools Idempotency imports its JMESPath engine (~23 KB minified) for eventKeyJmesPath and
// payloadValidationJmesPath, and builds its function table in every IdempotencyConfig. jitr sets neither option: the
// idempotency key is computed by functions/onboard/once.ts and passed whole. So the bundles get a stand-in whose
// `search` throws a clear error should anyone set one of those options, instead of the engine.
const JMESPATH = /^@aws-lambda-powertools\/jmespath(\/functions)?$/;
const JMESPATH_STAND_IN = `
export class PowertoolsFunctions {}
export function search(expression) {
  throw new Error('JMESPath is not bundled (functions/build/esbuild-plugins.cjs): cannot evaluate ' + expression);
}
`;

const noJmespath = {
  name: 'jitr-no-jmespath',
  setup(build) {
    build.onResolve({ filter: JMESPATH }, (args) => ({ path: args.path, namespace: 'jitr-no-jmespath' }));
    build.onLoad({ filter: /.*/, namespace: 'jitr-no-jmespath' }, () => ({
      contents: JMESPATH_STAND_IN,
      loader: 'js',
    }));
  },
};

module.exports = [sdkSchemaKeys, noJmespath];
module.exports.JMESPATH_STAND_IN = JMESPATH_STAND_IN;
module.exports.inlineComputedKeys = inlineComputedKeys;
module.exports.dropErrorRegistrations = dropErrorRegistrations;
