import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The template files beside this module: `firmware-config/templates/` (found from the sources and from dist/). */
function templatesDirectory(): string {
  const candidates = [
    new URL('./templates/', import.meta.url),
    new URL('../../firmware-config/templates/', import.meta.url),
  ];
  for (const candidate of candidates) {
    const path = fileURLToPath(candidate);
    if (existsSync(path)) return path;
  }
  throw new Error('firmware-config/templates/ is missing from this installation');
}

export type TemplateName = 'app_manifest.json' | 'demo_config.h' | 'microchip-cloud-config.json';

export function readTemplate(name: TemplateName): string {
  return readFileSync(`${templatesDirectory()}${name}`, 'utf8');
}
