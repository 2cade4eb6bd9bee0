import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Output } from '../src/output.ts';
import { hasAnsi } from './helpers.ts';

/** A stream that says it is a colour terminal (or not), and keeps what was written. */
function stream(tty: boolean) {
  const chunks: string[] = [];
  const writable = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  }) as Writable & { isTTY?: boolean; hasColors?: () => boolean };
  writable.isTTY = tty;
  writable.hasColors = () => tty;
  return { writable, text: () => chunks.join('') };
}

function output(tty: boolean, env: NodeJS.ProcessEnv = {}, colour = true) {
  const stdout = stream(tty);
  const stderr = stream(tty);
  const out = new Output({ stdout: stdout.writable, stderr: stderr.writable, env }, { json: false, colour });
  return { out, stdout, stderr };
}

describe('Output', () => {
  it('colours only a terminal', () => {
    const tty = output(true);
    tty.out.line(tty.out.style('green', 'ok'));
    expect(hasAnsi(tty.stdout.text())).toBe(true);
    const pipe = output(false);
    pipe.out.line(pipe.out.style('green', 'ok'));
    expect(pipe.stdout.text()).toBe('ok\n');
  });

  it('respects NO_COLOR and --no-color on a terminal', () => {
    const noColor = output(true, { NO_COLOR: '1' });
    noColor.out.line(noColor.out.style('green', 'ok'));
    expect(noColor.stdout.text()).toBe('ok\n');
    const flag = output(true, {}, false);
    flag.out.line(flag.out.style('green', 'ok'));
    expect(flag.stdout.text()).toBe('ok\n');
  });

  it('draws a spinner on a terminal’s stderr while waiting and clears it; nothing on a pipe', async () => {
    const tty = output(true);
    const slow = () => new Promise<string>((resolve) => setTimeout(() => resolve('done'), 200));
    expect(await tty.out.wait('calling', slow)).toBe('done');
    expect(tty.stderr.text()).toContain('calling');
    expect(tty.stderr.text().endsWith('\r\x1b[2K')).toBe(true);
    expect(tty.stdout.text()).toBe('');
    const pipe = output(false);
    expect(await pipe.out.wait('calling', slow)).toBe('done');
    expect(pipe.stderr.text()).toBe('');
  });
});
