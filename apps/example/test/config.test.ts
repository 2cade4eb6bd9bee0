import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, readLiveConfig, wantsSandbox } from '../src/config.ts';

const main = new URL('../src/main.ts', import.meta.url).pathname;

describe('configuration', () => {
  it('runs on the sandbox only when no WXPAY_ variable is set', () => {
    expect(wantsSandbox({ PORT: '1', WXPARK_DB: 'x' })).toBe(true);
    expect(wantsSandbox({ WXPAY_MCH_ID: '1900000100' })).toBe(false);
  });

  it('collects every problem, names the variable, and mixes no key up', () => {
    let error: unknown;
    try {
      readLiveConfig({
        WXPAY_MCH_ID: '19x',
        WXPAY_V2_API_KEY: 'short',
        WXPAY_PARKING_ID: 'P1',
        WXPAY_V3_PRIVATE_KEY_FILE: '/nonexistent/apiclient_key.pem',
        WXPAY_V3_API_KEY: 'also-short',
        WXPAY_SUB_MCH_ID: '1900000109',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/WXPAY_MCH_ID: expected digits/);
    expect(problems).toMatch(/WXPAY_APPID is required/);
    expect(problems).toMatch(/WXPAY_V2_API_KEY: expected 32 characters \(the APIv2 key, not the APIv3 key\)/);
    expect(problems).toMatch(/WXPAY_V3_SERIAL_NO is required/);
    expect(problems).toMatch(
      /WXPAY_V3_PRIVATE_KEY_FILE: cannot read \/nonexistent\/apiclient_key.pem \(ENOENT\)/,
    );
    expect(problems).toMatch(/WXPAY_V3_API_KEY: expected 32 bytes/);
    expect(problems).toMatch(/WXPAY_SUB_APPID is required with WXPAY_SUB_MCH_ID/);
    // The values of keys are never echoed.
    expect(problems).not.toContain('short');
  });

  it('reports configuration errors as one line each on stderr, with no stack, and exits 1', () => {
    const run = spawnSync(
      process.execPath,
      ['--conditions=@wxpark/source', '--disable-warning=ExperimentalWarning', main, 'serve'],
      {
        env: { PATH: process.env.PATH, WXPAY_MCH_ID: '1900000100' },
        encoding: 'utf8',
        timeout: 15_000,
      },
    );
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines.every((line) => line.startsWith('wxpark example: '))).toBe(true);
    expect(run.stderr).toMatch(/WXPAY_APPID is required/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('reports an unknown command in one line', () => {
    const run = spawnSync(
      process.execPath,
      ['--conditions=@wxpark/source', '--disable-warning=ExperimentalWarning', main, 'bogus'],
      {
        env: { PATH: process.env.PATH },
        encoding: 'utf8',
        timeout: 15_000,
      },
    );
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe('wxpark example: unknown command "bogus": use demo or serve');
  });
});
