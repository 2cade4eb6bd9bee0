import { styleText } from 'node:util';

/** Where the CLI writes: stdout for results, stderr for progress and diagnostics. */
export interface CliStreams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; hasColors?: () => boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; hasColors?: () => boolean };
  env: NodeJS.ProcessEnv;
}

type Style = 'green' | 'red' | 'yellow' | 'dim' | 'bold' | 'cyan';

const spinnerFrames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** True when colour may be written to the stream: a terminal that has colours, and NO_COLOR unset. */
function colourful(stream: CliStreams['stderr'], env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return Boolean(stream.isTTY) && (stream.hasColors?.() ?? false);
}

/** Formats what a command prints: JSON for scripts (`--json`), short coloured lines for people. */
export class Output {
  readonly json: boolean;
  readonly #streams: CliStreams;
  readonly #colourOut: boolean;
  readonly #colourErr: boolean;

  constructor(streams: CliStreams, options: { json: boolean; colour: boolean }) {
    this.#streams = streams;
    this.json = options.json;
    this.#colourOut = options.colour && colourful(streams.stdout, streams.env);
    this.#colourErr = options.colour && colourful(streams.stderr, streams.env);
  }

  /** Styles text for stdout (`err` false) or stderr, only when that stream is a colour terminal. */
  style(style: Style, text: string, err = false): string {
    return (err ? this.#colourErr : this.#colourOut)
      ? styleText(style, text, { validateStream: false })
      : text;
  }

  /** A result line (stdout). */
  line(text = ''): void {
    this.#streams.stdout.write(`${text}\n`);
  }

  /** A diagnostic or progress line (stderr): never mixed into results. */
  note(text: string): void {
    this.#streams.stderr.write(`${text}\n`);
  }

  /** Writes one JSON document (stdout). */
  document(value: unknown): void {
    this.#streams.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /**
   * Shows a spinner on stderr while `work` runs, only on a terminal (a pipe or a CI log gets nothing), and
   * clears it afterwards.
   */
  async wait<T>(label: string, work: () => Promise<T>): Promise<T> {
    const stderr = this.#streams.stderr;
    if (!stderr.isTTY) return work();
    let frame = 0;
    const draw = () => {
      stderr.write(`\r${this.style('cyan', spinnerFrames[frame++ % spinnerFrames.length]!, true)} ${label}`);
    };
    draw();
    const timer = setInterval(draw, 80);
    try {
      return await work();
    } finally {
      clearInterval(timer);
      stderr.write('\r\x1b[2K');
    }
  }
}
