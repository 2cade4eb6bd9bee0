/** A call or admin request the sandbox cannot carry out as asked; the message names the field. */
export class SandboxUsageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SandboxUsageError';
  }
}

/** A configuration or car owner that cannot be used; the message is one line naming the field. */
export class SandboxConfigError extends SandboxUsageError {
  constructor(message: string) {
    super(message);
    this.name = 'SandboxConfigError';
  }
}

/** Why a callback could not be sent or delivered. */
export class CallbackError extends Error {
  /** NO_NOTIFY_URL: nothing to send to. DELIVERY_FAILED: the merchant could not be reached in time. */
  readonly code: 'NO_NOTIFY_URL' | 'DELIVERY_FAILED';
  constructor(code: 'NO_NOTIFY_URL' | 'DELIVERY_FAILED', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CallbackError';
    this.code = code;
  }
}
