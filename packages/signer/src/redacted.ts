const inspectCustom = Symbol.for('nodejs.util.inspect.custom');

/**
 * A holder of a secret that prints as `<label>(redacted)` however it is printed: `String()`, a template
 * literal, `JSON.stringify` or `util.inspect` (console.log). The secret itself lives in the subclass's
 * `#private` fields, which none of these reach.
 */
export abstract class Redacted {
  readonly #label: string;

  protected constructor(label: string) {
    this.#label = `${label}(redacted)`;
  }

  /** Always `<label>(redacted)`. */
  toString(): string {
    return this.#label;
  }

  /** Always `<label>(redacted)`. */
  toJSON(): string {
    return this.#label;
  }

  /** Always `<label>(redacted)`. */
  [Symbol.toPrimitive](): string {
    return this.#label;
  }

  /** Always `<label>(redacted)`. */
  [inspectCustom](): string {
    return this.#label;
  }
}
