import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { tempDir } from '../src/index.ts';

let madeInATest: string | undefined;

it('makes a new directory with the prefix, kept through the file', () => {
  madeInATest = tempDir('wxpark-temp-dir-test-');
  expect(madeInATest).toMatch(/wxpark-temp-dir-test-\w{6}$/);
  writeFileSync(join(madeInATest, 'key.pem'), 'secret');
  expect(tempDir('wxpark-temp-dir-test-')).not.toBe(madeInATest);
});

it('still has the directory made in the previous test', () => {
  expect(existsSync(join(madeInATest!, 'key.pem'))).toBe(true);
});
