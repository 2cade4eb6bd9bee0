import { Command, CommanderError, Option } from 'commander';
import cliPackage from '../package.json' with { type: 'json' };
import { callCommand } from './commands/call.ts';
import { certificatesDownloadCommand } from './commands/certificates.ts';
import { keysCheckCommand } from './commands/keys.ts';
import { listenCommand } from './commands/listen.ts';
import { noticeVerifyCommand } from './commands/notice.ts';
import { sandboxCommand } from './commands/sandbox.ts';
import { triggerCommand, triggerEventNames } from './commands/trigger.ts';
import type { CliIo, CommandContext } from './context.ts';
import { type LoadedSettings, loadSettings, settingNames } from './credentials.ts';
import { exitCodes } from './errors.ts';
import { Output } from './output.ts';
import { reportOf } from './report.ts';

const environmentHelp = `
Credentials come from the environment or a --config JSON file (same names in camelCase; the environment wins):
${Object.entries(settingNames)
  .map(([key, { env, about }]) => `  ${env.padEnd(34)} ${key.padEnd(25)} ${about}`)
  .join('\n')}

Exit codes: 0 done, 1 WeChat Pay refused or verification failed, 2 usage (nothing was sent).`;

/**
 * Runs the `wxpark` command line with the given arguments (without `node` and the script) and resolves to
 * its exit code. Nothing calls `process.exit`, so tests and embedders can run it in-process.
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(process.argv.slice(2));
 * ```
 */
export async function runCli(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const full: CliIo = {
    stdin: io.stdin ?? process.stdin,
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    env: io.env ?? process.env,
    cwd: io.cwd ?? process.cwd(),
    signal: io.signal ?? new AbortController().signal,
  };
  let exitCode: number = exitCodes.ok;
  let out = new Output(full, { json: argv.includes('--json'), colour: !argv.includes('--no-color') });
  const program = buildProgram(
    full,
    (ctx) => {
      out = ctx.out;
    },
    (code) => {
      exitCode = code;
    },
  );
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code))
        return exitCodes.ok;
      // Commander printed the one-line reason already.
      if (out.json) out.document({ ok: false, error: { code: 'USAGE', message: error.message } });
      return exitCodes.usage;
    }
    const report = reportOf(error);
    if (out.json)
      out.document({
        ok: false,
        error: {
          code: report.code,
          message: report.message,
          ...(report.requestId ? { requestId: report.requestId } : {}),
        },
      });
    else
      out.note(
        `${out.style('red', `✖ ${report.code}`, true)}: ${report.message}${report.requestId ? ` · Request-ID ${report.requestId}` : ''}`,
      );
    return report.exitCode;
  }
}

type Action = (ctx: CommandContext, ...args: never[]) => Promise<number>;

function buildProgram(
  io: CliIo,
  onContext: (ctx: CommandContext) => void,
  onExit: (code: number) => void,
): Command {
  const program = new Command('wxpark')
    .description('WeChat Pay parking APIs from the command line: calls, notices, keys and a local sandbox')
    .version(cliPackage.version, '-v, --version')
    .option('--json', 'print JSON for scripts')
    .option('--config <file>', 'read credentials from a JSON file (see below)')
    .option('--no-color', 'never colour the output (also NO_COLOR)')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .addHelpText('after', environmentHelp);

  /** Wraps a command action: builds its context from the global options, records its exit code. */
  const run =
    (action: Action) =>
    async (...args: unknown[]) => {
      const command = args[args.length - 1] as Command;
      const globals = command.optsWithGlobals<{ json?: boolean; config?: string; color?: boolean }>();
      const out = new Output(io, { json: Boolean(globals.json), colour: globals.color !== false });
      let settings: LoadedSettings | undefined;
      const ctx: CommandContext = {
        io,
        out,
        settings: () => {
          settings ??= loadSettings(io.env, globals.config, io.cwd);
          return settings;
        },
      };
      onContext(ctx);
      onExit(await action(ctx, ...(args.slice(0, -1) as never[])));
    };

  program
    .command('call')
    .description('call any route of vehicle-v2, parking-v3 or businesscircle and print the verified answer')
    .argument('[route]', 'route key, e.g. v3/parking/reminders/entry (list them with --list)')
    .argument('[stdin]', '- to read the data from stdin')
    .option('-d, --data <json>', 'the call data: JSON, @file, or - for stdin')
    .option('--dry-run', 'print the request as it would be signed (signatures masked) and send nothing')
    .option('--list', 'list every route')
    .addHelpText(
      'after',
      `
Examples:
  wxpark call v3/parking/reminders/entry --data @entry.json
  echo '{"appid":"wx…","out_trade_no":"T1"}' | wxpark call v2/transit/queryorder -
  wxpark call v2/vehicle/pay/notification --data @entry.json --dry-run`,
    )
    .action(
      run((ctx, route: string | undefined, input: string | undefined, options) =>
        callCommand(ctx, route, input, options as never),
      ),
    );

  program
    .command('trigger')
    .description('have a sandbox sign and send a genuine notice to your server, and print its reply')
    .argument('[event]', `one of: ${triggerEventNames().join(', ')}`)
    .option('--forward-to <url>', 'your notice endpoint, e.g. http://127.0.0.1:3000/wxpay/notify')
    .addOption(
      new Option(
        '--sandbox-url <url>',
        'the running sandbox (default: the configured baseUrl on 127.0.0.1)',
      ).env('WXPARK_SANDBOX_URL'),
    )
    .option(
      '--mch-id <mchId>',
      'the sandbox merchant the notice is for (default: the first; a direct merchant for v2 events)',
    )
    .option('-d, --data <json>', 'fields to merge into the notice resource: JSON or @file')
    .option('--list', 'list the events')
    .action(run((ctx, event: string | undefined, options) => triggerCommand(ctx, event, options as never)));

  program
    .command('listen')
    .description('forward every notice a sandbox sends to your server, printing each delivery and reply')
    .requiredOption(
      '--forward-to <url>',
      'your notice endpoint; every notice goes there, whatever its notify_url',
    )
    .addOption(
      new Option('--sandbox-url <url>', 'attach to this sandbox instead of starting one').env(
        'WXPARK_SANDBOX_URL',
      ),
    )
    .option('--port <port>', 'port of the sandbox started here', '8787')
    .option('--sandbox-config <file>', 'merchants for the sandbox started here (JSON)')
    .action(run((ctx, options) => listenCommand(ctx, options as never)));

  const notice = program.command('notice').description('work with captured notices');
  notice
    .command('verify')
    .description('verify and decrypt a captured notice with the configured keys; says exactly why one fails')
    .option('-f, --file <file>', 'the raw body as received (or - for stdin)')
    .option('-H, --header <header...>', 'a header as received, e.g. "Wechatpay-Signature: …" (APIv3; repeat)')
    .addOption(new Option('--v2', 'an APIv2 (XML) notice, verified with WXPAY_V2_API_KEY'))
    .option('--sign-type <type>', 'APIv2 sign type expected', 'HMAC-SHA256')
    .option('--window <seconds>', 'APIv3 timestamp window in seconds (a captured notice may be older)', '300')
    .action(run((ctx, options) => noticeVerifyCommand(ctx, options as never)));

  const keys = program.command('keys').description('check merchant keys');
  keys
    .command('check')
    .description(
      'check the private key, certificate serial, APIv3 key and public key id; --call tries the APIv2 key',
    )
    .option(
      '--call',
      'also prove the APIv2 key with one harmless call (查询订单 of a made-up order; needs WXPAY_APPID)',
    )
    .action(run((ctx, options) => keysCheckCommand(ctx, options as never)));

  const certificates = program
    .command('certificates')
    .description('platform certificates (certificate mode)');
  certificates
    .command('download')
    .description('download, decrypt and verify the platform certificates, and write them as PEM files')
    .option('-o, --out-dir <dir>', 'where to write wechatpay_<serial>.pem', '.')
    .action(run((ctx, options) => certificatesDownloadCommand(ctx, options as never)));

  program
    .command('sandbox')
    .description('start the local WeChat Pay sandbox (same as npx @wxpark/sandbox)')
    .option('--port <port>', 'port (0 picks a free one)', '8787')
    .option('--host <host>', 'interface to bind; keep it on loopback', '127.0.0.1')
    .option('--sandbox-config <file>', 'merchants and car owners (JSON); generated when absent')
    .addOption(
      new Option('--key-mode <mode>', 'which key signs APIv3 answers')
        .choices(['public-key', 'certificate'])
        .default('public-key'),
    )
    .option(
      '--write-config <file>',
      'write a wxpark --config file (with PEM files beside it) for the first merchant',
    )
    .action(run((ctx, options) => sandboxCommand(ctx, options as never)));

  return program;
}
