import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@wxpark/test-utils';
import { describe, expect, it } from 'vitest';
import { runBin, startBin } from './helpers.ts';

describe('wxpark sandbox', () => {
  it('starts the sandbox, writes a --config for its merchant that `wxpark call` uses, and stops on SIGTERM', async () => {
    const dir = tempDir();
    const sandbox = startBin(
      ['sandbox', '--port', '0', '--write-config', 'wxpark.json'],
      /wrote .*wxpark\.json/,
      { cwd: dir },
    );
    await sandbox.started;
    const url = /sandbox listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(sandbox.output.stdout)![1]!;
    const settings = JSON.parse(readFileSync(join(dir, 'wxpark.json'), 'utf8'));
    expect(settings.baseUrl).toBe(url);
    expect(readFileSync(join(dir, settings.v3PrivateKeyFile), 'utf8')).toContain('PRIVATE KEY');

    const call = await runBin(
      [
        '--config',
        'wxpark.json',
        'call',
        'v3/parking/reminders/parking-lot',
        '--data',
        '{"out_parking_lot_id":"LOT-A"}',
      ],
      { cwd: dir },
    );
    expect(call.code).toBe(0);
    expect(JSON.parse(call.stdout).out_parking_lot_id).toBe('LOT-A');
    // The sandbox logs what it received.
    await expect.poll(() => sandbox.output.stderr).toContain('/v3/parking/reminders/parking-lot');

    expect(await sandbox.stop()).toBe(0);
    expect(sandbox.output.stderr).toContain('sandbox stopped');
  });

  it('refuses a port that is not a number: exit 2', async () => {
    const result = await runBin(['sandbox', '--port', 'eighty']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--port: expected 0-65535, got "eighty"');
  });

  it('refuses an unknown key mode before starting: exit 2', async () => {
    const result = await runBin(['sandbox', '--key-mode', 'both']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("argument 'both' is invalid");
  });
});
