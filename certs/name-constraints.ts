import { type CertificateFields, type NameAttribute } from './fields.js';
import { type GeneralName, type GeneralNameForm, type GeneralSubtrees, subjectAltNames } from './general-names.js';

const EMAIL_ADDRESS = '1.2.840.113549.1.9.1';

function fold(value: string): string {
  return value.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** directoryName: the constraint's attributes are a prefix of the name's (compared as RFC 5280 7.1 folds them). */
function withinDirectory(name: NameAttribute[], base: NameAttribute[]): boolean {
  if (base.length > name.length) return false;
  return base.every((attribute, i) => attribute.oid === name[i]!.oid && fold(attribute.value) === fold(name[i]!.value));
}

/** dNSName: the constraint itself or any name below it ("example.com" covers "a.example.com"); "" covers all. */
function withinDns(host: string, base: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  const constraint = base.toLowerCase();
  if (constraint === '') return true;
  if (constraint.startsWith('.')) return name.endsWith(constraint);
  return name === constraint || name.endsWith(`.${constraint}`);
}

/** rfc822Name: a mailbox ("a@b"), every mailbox at one host ("b") or at any host below a domain (".b"). */
function withinEmail(address: string, base: string): boolean {
  const at = address.lastIndexOf('@');
  if (at < 0) return false;
  const host = address.slice(at + 1).toLowerCase();
  if (base.includes('@')) {
    const baseAt = base.lastIndexOf('@');
    return address.slice(0, at) === base.slice(0, baseAt) && host === base.slice(baseAt + 1).toLowerCase();
  }
  if (base.startsWith('.')) return host.endsWith(base.toLowerCase());
  return host === base.toLowerCase();
}

/** uniformResourceIdentifier: the constraint applies to the host part (a host, or ".domain" for hosts below it). */
function withinUri(uri: string, base: string): boolean {
  const host = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)/i.exec(uri)?.[1];
  if (!host) return false;
  const name = host.toLowerCase();
  const constraint = base.toLowerCase();
  return constraint.startsWith('.') ? name.endsWith(constraint) : name === constraint;
}

/** iPAddress: the constraint is address followed by mask, of twice the address length. */
function withinIp(address: Uint8Array, base: Uint8Array): boolean {
  if (base.length !== address.length * 2) return false;
  return address.every((byte, i) => (byte & base[address.length + i]!) === (base[i]! & base[address.length + i]!));
}

/** undefined: the form is one this validator does not match (the caller refuses such a constrained name). */
function within(name: GeneralName, base: GeneralName): boolean | undefined {
  if (name.form !== base.form) return false;
  if (name.form === 'directoryName' && base.form === 'directoryName') return withinDirectory(name.name, base.name);
  if (name.form === 'dNSName' && base.form === 'dNSName') return withinDns(name.value, base.value);
  if (name.form === 'rfc822Name' && base.form === 'rfc822Name') return withinEmail(name.value, base.value);
  if (name.form === 'uniformResourceIdentifier' && base.form === 'uniformResourceIdentifier') {
    return withinUri(name.value, base.value);
  }
  if (name.form === 'iPAddress' && base.form === 'iPAddress') return withinIp(name.bytes, base.bytes);
  return undefined;
}

function describe(name: GeneralName): string {
  switch (name.form) {
    case 'directoryName':
      return `directoryName "${name.name.map((a) => `${a.name}=${a.value}`).join(', ')}"`;
    case 'iPAddress':
      return `iPAddress ${Buffer.from(name.bytes).toString('hex')}`;
    case 'rfc822Name':
    case 'dNSName':
    case 'uniformResourceIdentifier':
      return `${name.form} "${name.value}"`;
    default:
      return name.form;
  }
}

/** The names a certificate is known by, as name constraints see them: subject (when not empty), its emails, the SANs. */
function namesOf(fields: CertificateFields): GeneralName[] {
  const names: GeneralName[] = [];
  if (fields.subject.length > 0) names.push({ form: 'directoryName', name: fields.subject });
  for (const attribute of fields.subject) {
    if (attribute.oid === EMAIL_ADDRESS) names.push({ form: 'rfc822Name', value: attribute.value });
  }
  names.push(...subjectAltNames(fields));
  return names;
}

/**
 * Why the certificate's names break `constraints` (RFC 5280 4.2.1.10 and 6.1.3 (b)/(c)); undefined when they do not.
 * A name must lie in one permitted subtree of its form when the CA permits any of that form, and in no excluded one.
 */
export function nameConstraintViolation(fields: CertificateFields, constraints: GeneralSubtrees): string | undefined {
  for (const name of namesOf(fields)) {
    const permitted = constraints.permitted.filter((base) => base.form === name.form);
    const excluded = constraints.excluded.filter((base) => base.form === name.form);
    if (permitted.length === 0 && excluded.length === 0) continue;
    const matches = (bases: GeneralName[]) => bases.map((base) => within(name, base));
    if (matches([...permitted, ...excluded]).includes(undefined)) {
      return `has a ${name.form as GeneralNameForm} name, a form its CA constrains and this validator cannot check`;
    }
    if (permitted.length > 0 && !matches(permitted).includes(true)) {
      return `has ${describe(name)}, outside the permitted subtrees`;
    }
    if (matches(excluded).includes(true)) return `has ${describe(name)}, inside an excluded subtree`;
  }
  return undefined;
}
