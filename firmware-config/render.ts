/** Fills `{{name}}` placeholders; every value passes through the escaper of the target format. Pure. */
export type Escaper = (value: string) => string;

export class TemplateError extends Error {
  readonly code = 'TEMPLATE_PLACEHOLDER_MISSING';

  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

export function renderTemplate(template: string, values: Record<string, string>, escapeValue: Escaper): string {
  return template.replace(/\{\{([a-zA-Z]+)\}\}/g, (_whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new TemplateError(`the template needs a value for {{${name}}}`);
    return escapeValue(value);
  });
}

/** Inside a JSON string literal (the quotes are the template's). */
export const jsonEscape: Escaper = (value) => JSON.stringify(value).slice(1, -1);

/** Inside a C string literal: backslash, quote, and anything not printable ASCII as an octal escape. */
export const cEscape: Escaper = (value) =>
  [...Buffer.from(value, 'utf8')]
    .map((byte) => {
      if (byte === 0x5c) return '\\\\';
      if (byte === 0x22) return '\\"';
      if (byte === 0x0a) return '\\n';
      if (byte >= 0x20 && byte < 0x7f && byte !== 0x3f) return String.fromCharCode(byte); // '?' would risk trigraphs
      return `\\${byte.toString(8).padStart(3, '0')}`;
    })
    .join('');
