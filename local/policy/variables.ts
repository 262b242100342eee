import { type GlobAtom, globAtoms, literalAtoms } from './wildcard.js';

/** The thing a connection acts as: the attached thing whose name equals the client id (see thingForConnection). */
export interface ConnectionThing {
  thingName: string;
  thingTypeName?: string;
  attributes: Record<string, string>;
}

/** What policy variables and condition keys resolve against for one MQTT connection. */
export interface ConnectionContext {
  clientId: string;
  /** Present only when the certificate is attached to a thing named exactly like the client id. */
  thing?: ConnectionThing;
}

/**
 * AWS resolves thing policy variables for the thing named by the MQTT client id, and only when the presented
 * certificate is attached to that thing; otherwise they stay unresolved and IsAttached is "false".
 */
export function thingForConnection(
  clientId: string,
  attached: readonly ConnectionThing[],
): ConnectionThing | undefined {
  return attached.find((thing) => thing.thingName === clientId);
}

export type VariableLookup =
  { kind: 'value'; value: string } | { kind: 'unresolved' } | { kind: 'unknown'; name: string };

const ATTRIBUTE = /^iot:Connection\.Thing\.Attributes\[([^\]]+)\]$/;

/** Value of a policy variable or condition key (`iot:ClientId`, `iot:Connection.Thing.*`) for a connection. */
export function lookupKey(name: string, context: ConnectionContext): VariableLookup {
  const present = (value: string | undefined): VariableLookup =>
    value === undefined ? { kind: 'unresolved' } : { kind: 'value', value };
  switch (name) {
    case 'iot:ClientId':
      return present(context.clientId);
    case 'iot:Connection.Thing.ThingName':
      return present(context.thing?.thingName);
    case 'iot:Connection.Thing.ThingTypeName':
      return present(context.thing?.thingTypeName);
    case 'iot:Connection.Thing.IsAttached':
      return present(context.thing ? 'true' : 'false');
  }
  const attribute = ATTRIBUTE.exec(name);
  if (attribute?.[1] !== undefined) return present(context.thing?.attributes[attribute[1]]);
  return { kind: 'unknown', name };
}

const VARIABLE = /\$\{([^}]*)\}/g;

/**
 * Substitutes `${...}` policy variables into a pattern. The policy's own `*`/`?` stay wildcards, substituted values
 * are literal. An unresolved variable makes the pattern match nothing, as in AWS.
 */
export function substitutePattern(
  pattern: string,
  context: ConnectionContext,
): { atoms: GlobAtom[] } | { unresolved: true; unknown?: string } {
  const atoms: GlobAtom[] = [];
  let last = 0;
  for (const match of pattern.matchAll(VARIABLE)) {
    atoms.push(...globAtoms(pattern.slice(last, match.index)));
    const lookup = lookupKey(match[1] ?? '', context);
    if (lookup.kind === 'unknown') return { unresolved: true, unknown: lookup.name };
    if (lookup.kind === 'unresolved') return { unresolved: true };
    atoms.push(...literalAtoms(lookup.value));
    last = match.index + match[0].length;
  }
  atoms.push(...globAtoms(pattern.slice(last)));
  return { atoms };
}

/** Substitutes policy variables into plain text (exact-match condition values); undefined when one is unresolved. */
export function substituteText(text: string, context: ConnectionContext): string | undefined {
  let unresolved = false;
  const result = text.replace(VARIABLE, (_whole, name: string) => {
    const lookup = lookupKey(name, context);
    if (lookup.kind !== 'value') unresolved = true;
    return lookup.kind === 'value' ? lookup.value : '';
  });
  return unresolved ? undefined : result;
}
