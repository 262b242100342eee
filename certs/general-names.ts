import { childrenOf, contentsOf, expectTlv, TAG, type Tlv } from './der.js';
import { MalformedCertificateError } from './errors.js';
import { type CertificateFields, EXTENSION, type NameAttribute, readName } from './fields.js';

/** A GeneralName (RFC 5280 4.2.1.6) in the forms name constraints are applied to; the others keep only their form. */
export type GeneralName =
  | { form: 'rfc822Name' | 'dNSName' | 'uniformResourceIdentifier'; value: string }
  | { form: 'iPAddress'; bytes: Uint8Array }
  | { form: 'directoryName'; name: NameAttribute[] }
  | { form: 'otherName' | 'x400Address' | 'ediPartyName' | 'registeredID' };

const FORMS = [
  'otherName',
  'rfc822Name',
  'dNSName',
  'x400Address',
  'directoryName',
  'ediPartyName',
  'uniformResourceIdentifier',
  'iPAddress',
  'registeredID',
] as const;
export type GeneralNameForm = (typeof FORMS)[number];

/** Reads one GeneralName element (a context-specific tag [0]..[8]). */
export function readGeneralName(der: Uint8Array, tlv: Tlv): GeneralName {
  const number = tlv.tag & 0x1f;
  const form = FORMS[number];
  if ((tlv.tag & 0xc0) !== 0x80 || form === undefined) {
    throw new MalformedCertificateError(`GeneralName has tag 0x${tlv.tag.toString(16)}`);
  }
  const contents = contentsOf(der, tlv);
  switch (form) {
    case 'rfc822Name':
    case 'dNSName':
    case 'uniformResourceIdentifier':
      return { form, value: Buffer.from(contents).toString('latin1') };
    case 'iPAddress':
      return { form, bytes: contents };
    case 'directoryName': {
      // [4] is EXPLICIT: the constructed tag wraps a whole Name.
      const [name] = childrenOf(der, tlv);
      if (!name || name.tag !== TAG.sequence) throw new MalformedCertificateError('directoryName is not a Name');
      return { form, name: readName(der, name) };
    }
    default:
      return { form };
  }
}

/** The names of the subjectAltName extension, or [] without one. */
export function subjectAltNames(fields: CertificateFields): GeneralName[] {
  const extension = fields.extensions.get(EXTENSION.subjectAltName);
  if (!extension) return [];
  const list = expectTlv(extension.value, 0, TAG.sequence);
  return childrenOf(extension.value, list).map((name) => readGeneralName(extension.value, name));
}

export interface GeneralSubtrees {
  permitted: GeneralName[];
  excluded: GeneralName[];
}

/**
 * The nameConstraints extension, or undefined without one. GeneralSubtree minimum and maximum are refused, as RFC
 * 5280 4.2.1.10 says they MUST NOT be used (minimum 0, maximum absent).
 */
export function nameConstraintsOf(fields: CertificateFields): GeneralSubtrees | undefined {
  const extension = fields.extensions.get(EXTENSION.nameConstraints);
  if (!extension) return undefined;
  const der = extension.value;
  const outer = expectTlv(der, 0, TAG.sequence);
  const constraints: GeneralSubtrees = { permitted: [], excluded: [] };
  for (const part of childrenOf(der, outer)) {
    const target = part.tag === 0xa0 ? constraints.permitted : part.tag === 0xa1 ? constraints.excluded : undefined;
    if (!target) throw new MalformedCertificateError('nameConstraints has an unknown field');
    for (const subtree of childrenOf(der, part)) {
      if (subtree.tag !== TAG.sequence) throw new MalformedCertificateError('GeneralSubtree is not a SEQUENCE');
      const [base, ...bounds] = childrenOf(der, subtree);
      if (!base) throw new MalformedCertificateError('GeneralSubtree has no base');
      const nonZeroMinimum = bounds.some((bound) => bound.tag === 0x80 && contentsOf(der, bound).some((b) => b !== 0));
      if (nonZeroMinimum || bounds.some((bound) => bound.tag === 0x81)) {
        throw new MalformedCertificateError('nameConstraints uses a minimum or maximum, which RFC 5280 forbids');
      }
      target.push(readGeneralName(der, base));
    }
  }
  return constraints;
}
