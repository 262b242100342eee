import * as z from 'zod';

/**
 * The shapes of the generated JSON files, used to check them. The Azure Sphere manifest follows the documented
 * app_manifest.json fields this generator writes: AllowedConnections lists host names, DeviceAuthentication is the
 * tenant GUID the device certificate is issued for.
 */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HOST = /^(?=.{1,253}$)[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)*$/;

export const AppManifestSchema = z
  .object({
    SchemaVersion: z.literal(1),
    Name: z.string().min(1).max(64),
    ComponentId: z.string().regex(GUID),
    EntryPoint: z.string().startsWith('/'),
    CmdArgs: z.array(z.string()),
    Capabilities: z
      .object({
        AllowedConnections: z.array(z.string().regex(HOST)).min(1),
        DeviceAuthentication: z.string().regex(GUID),
      })
      .passthrough(),
    ApplicationType: z.enum(['Default', 'Debugger']),
  })
  .strict();

export const MicrochipCloudConfigSchema = z
  .object({
    provider: z.literal('aws'),
    endpoint: z.string().regex(HOST),
    port: z.literal(8883),
    thingName: z.string().regex(/^[0-9a-f]{40}$/),
    clientId: z.string().regex(/^[0-9a-f]{40}$/),
    subjectKeyIdentifier: z.string().regex(/^[0-9a-f]{40}$/),
  })
  .strict()
  .refine((config) => config.clientId === config.thingName && config.subjectKeyIdentifier === config.thingName, {
    message: 'the client id and the SKI must be the thing name',
  });

export const appManifestJsonSchema = () => z.toJSONSchema(AppManifestSchema);
export const microchipCloudConfigJsonSchema = () => z.toJSONSchema(MicrochipCloudConfigSchema);
