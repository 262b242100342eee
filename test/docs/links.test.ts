import { existsSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { headingAnchors, linkTargets, markdownPages, readPage, root } from './markdown.js';

// Every relative link of the docs a reader follows leads somewhere: the file exists and, when the link names a
// #fragment, the file has that heading (anchors as GitHub makes them from headings).
describe('docs: relative links and anchors', () => {
  const pages = markdownPages();

  it('finds the pages to check', () => {
    expect(pages).toContain('README.md');
    expect(pages).toContain('CONTRIBUTING.md');
    expect(pages.filter((page) => page.startsWith('docs/')).length).toBeGreaterThan(5);
  });

  it('computes anchors as GitHub does', () => {
    const anchors = headingAnchors(
      '# jitr — zero-touch onboarding\n## `jitr local start`: a local AWS IoT Core\n## Setup\n## Setup\n```sh\n# not a heading\n```\n',
    );
    expect([...anchors]).toEqual([
      'jitr--zero-touch-onboarding',
      'jitr-local-start-a-local-aws-iot-core',
      'setup',
      'setup-1',
    ]);
  });

  it('every relative link points to an existing file and heading', () => {
    const broken: string[] = [];
    for (const page of pages) {
      for (const target of linkTargets(readPage(page))) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
        const [pathPart = '', fragment] = target.split('#', 2);
        const file = pathPart === '' ? page : normalize(join(dirname(page), decodeURIComponent(pathPart)));
        const absolute = join(root, file);
        if (file.startsWith('..') || !existsSync(absolute)) {
          broken.push(`${page}: ${target} (no file ${file})`);
          continue;
        }
        if (fragment === undefined || fragment === '') continue;
        if (statSync(absolute).isDirectory() || !file.endsWith('.md')) continue;
        if (!headingAnchors(readPage(file)).has(decodeURIComponent(fragment))) {
          broken.push(`${page}: ${target} (no heading #${fragment} in ${file})`);
        }
      }
    }
    expect(broken).toEqual([]);
  });
});
