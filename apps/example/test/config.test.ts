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

  it('turns charging on with its tariff, and asks for the public URL and the server IP it needs', () => {
    const base = { WXPAY_MCH_ID: '1900000100', WXPAY_APPID: 'wx1', WXPAY_V2_API_KEY: 'k'.repeat(32) };
    const config = readLiveConfig({
      ...base,
      WXPARK_CHARGE_FEN_PER_HOUR: '400',
      WXPARK_PUBLIC_URL: 'https://gw.example.com/',
      WXPARK_SERVER_IP: '203.0.113.7',
      WXPARK_ADVANCE_FUNDING: 'on',
    });
    expect(config.targets.charge).toEqual({
      fenPerHour: 400,
      freeSeconds: 900,
      spbill_create_ip: '203.0.113.7',
      advanceFunding: true,
    });
    expect(config.targets.v2?.notify_url).toBe('https://gw.example.com/wxpay/v2/notify');
    let error: unknown;
    try {
      readLiveConfig({ ...base, WXPARK_CHARGE_FEN_PER_HOUR: '4.5', WXPAY_SCORE_PARKING: 'on' });
    } catch (e) {
      error = e;
    }
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/WXPARK_CHARGE_FEN_PER_HOUR: expected a positive whole number/);
    expect(problems).toMatch(/WXPARK_PUBLIC_URL is required with WXPARK_CHARGE_FEN_PER_HOUR/);
    expect(problems).toMatch(/WXPARK_PUBLIC_URL is required with WXPAY_SCORE_PARKING/);
    expect(problems).toMatch(/WXPARK_SERVER_IP: expected the IP address/);
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
