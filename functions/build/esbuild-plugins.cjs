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

const sdkSchemaKeys = {
  name: 'jitr-sdk-schema-keys',
  setup(build) {
    build.onLoad({ filter: SCHEMA_MODULE }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      return { contents: inlineComputedKeys(source), loader: 'js' };
    });
  },
};

module.exports = [sdkSchemaKeys];
module.exports.inlineComputedKeys = inlineComputedKeys;
