import { describe, expect, it } from 'vitest';
import { hasAnsi, runBin } from './helpers.ts';

const commands = [
  ['call'],
  ['trigger'],
  ['listen'],
  ['notice', 'verify'],
  ['keys', 'check'],
  ['certificates', 'download'],
  ['sandbox'],
];

describe('wxpark --help', () => {
  it('lists every command, the credential variables and the exit codes', async () => {
    const result = await runBin(['--help']);
    expect(result.code).toBe(0);
    for (const [command] of commands) expect(result.stdout).toMatch(new RegExp(`^  ${command!} `, 'm'));
    for (const variable of [
      'WXPAY_MCH_ID',
      'WXPAY_V2_API_KEY',
      'WXPAY_V3_PRIVATE_KEY_FILE',
      'WXPAY_PUBLIC_KEY_ID',
      'WXPAY_BASE_URL',
    ])
      expect(result.stdout).toContain(variable);
    expect(result.stdout).toContain(
      'Exit codes: 0 done, 1 WeChat Pay refused or verification failed, 2 usage',
    );
  });

  it.each(commands.map((command) => command.join(' ')))('has help for wxpark %s', async (command) => {
    const result = await runBin([...command.split(' '), '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: wxpark ${command}`);
    expect(hasAnsi(result.stdout)).toBe(false);
  });

  it('prints its version', async () => {
    const result = await runBin(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('answers an unknown command or option with exit 2 and one reason', async () => {
    const command = await runBin(['frobnicate']);
    expect(command.code).toBe(2);
    expect(command.stderr).toContain("error: unknown command 'frobnicate'");
    const option = await runBin(['call', '--frob']);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("error: unknown option '--frob'");
  });

  it('answers a missing required option with exit 2', async () => {
    const result = await runBin(['listen']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("required option '--forward-to <url>' not specified");
    const trigger = await runBin(['trigger', 'TRANSACTION.SUCCESS']);
    expect(trigger.code).toBe(2);
    expect(trigger.stderr).toContain('trigger: --forward-to <url> names your notice endpoint');
  });
});
