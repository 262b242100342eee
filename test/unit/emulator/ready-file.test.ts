import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readReadyFile, removeReadyFile, writeReadyFile } from '../../../scripts/emulator/ready-file.js';

const dir = mkdtempSync(join(tmpdir(), 'jitr-ready-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ready = {
  controlPlane: 'http://127.0.0.1:4000',
  mqtt: 'mqtts://localhost:8883',
  serverCa: '/tmp/server-ca.pem',
  region: 'us-east-1',
  pid: 4242,
};

describe('the ready file of jitr local start', () => {
  it('replaces the file by a rename (a new inode), never by writing into the one a reader may have open', () => {
    const path = join(dir, 'ready.json');
    writeFileSync(path, '{"controlPlane":"http://old"');
    const before = statSync(path).ino;

    writeReadyFile(path, ready);

    expect(statSync(path).ino).not.toBe(before);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(ready);
    expect(readdirSync(dir).filter((name) => name.includes('.tmp'))).toEqual([]);
  });

  it('creates the directory it goes in, and is readable by its owner only', () => {
    const path = join(dir, 'nested', 'deeper', 'ready.json');
    writeReadyFile(path, ready);
    expect(readReadyFile(path)).toEqual(ready);
    expect(statSync(path).mode & 0o077).toBe(0);
  });

  it('refuses a path it cannot write with FILE_UNWRITABLE, leaving no temporary file', () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, '');
    let caught: unknown;
    try {
      writeReadyFile(join(blocker, 'ready.json'), ready);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'FILE_UNWRITABLE', exitCode: 2 });
  });

  it('is removed on shutdown only by the emulator that wrote it', () => {
    const path = join(dir, 'owned.json');
    writeReadyFile(path, ready);
    removeReadyFile(path, 1);
    expect(readReadyFile(path)).toEqual(ready);
    removeReadyFile(path, ready.pid);
    expect(readReadyFile(path)).toBeUndefined();
  });
});
