import { SignerError } from '@wxpark/signer';
import { SignatureError, WxparkError } from './errors.ts';

const signatureHints: Partial<Record<string, string>> = {
  SIGNATURE_MISMATCH:
    'check the configured WeChat Pay public key or platform certificates; a body that was parsed and re-serialised will not verify',
  TIMESTAMP_OUT_OF_WINDOW:
    'check this machine’s clock (NTP): it differs from WeChat Pay’s by more than the allowed window',
  UNKNOWN_SERIAL:
    'the signature names a key this client does not hold: configure v3.publicKey (PUB_KEY_ID_…) or platform certificates',
  SIGNATURE_PROBE:
    'WeChat Pay sends such probes on purpose to check that signatures are verified; refusing it is correct',
};

const reachedWeChat =
  '; the call reached WeChat Pay and may have been processed: query its state before sending it again';

/**
 * Hints for a response the SDK read itself: unlike a notice, its body cannot have been re-serialised by the
 * caller, so a mismatch means the configured key is not the one that signed it.
 */
function responseHint(code: string, serial: string | undefined, method: string): string | undefined {
  // The serial is unverified input: shown only when it looks like a key id.
  const key = serial && /^[0-9A-Za-z_]{1,64}$/.test(serial) ? `key ${serial}` : 'the key it names';
  // Only a call that changes something needs querying before it is sent again.
  const reached = method === 'GET' ? '' : reachedWeChat;
  switch (code) {
    case 'SIGNATURE_MISMATCH':
      return `the response does not verify with the configured WeChat Pay public key or certificate for ${key}: check v3.publicKey (its id and PEM) or v3.certificates${reached}`;
    case 'UNKNOWN_SERIAL':
      return `the response is signed with ${key}, which this client does not hold: configure v3.publicKey (PUB_KEY_ID_…) or platform certificates${reached}`;
    case 'TIMESTAMP_OUT_OF_WINDOW':
      return `check this machine’s clock (NTP): it differs from WeChat Pay’s by more than the allowed window${reached}`;
    default:
      return undefined;
  }
}

/**
 * Wraps a signer failure as the `SignatureError` callers catch, with a hint for the common causes; pass
 * `response` (with the serial it named) when the SDK read the body itself rather than a notice handler.
 */
export function toSignatureError(
  error: unknown,
  path: string,
  requestId?: string,
  response?: { serial: string | undefined; method: string },
): WxparkError {
  if (!SignerError.isInstance(error))
    return WxparkError.isInstance(error)
      ? error
      : new WxparkError({ code: 'VERIFY_FAILED', message: `${path}: verification failed`, cause: error });
  const hint =
    (response && responseHint(error.code, response.serial, response.method)) ??
    error.hint ??
    signatureHints[error.code];
  return new SignatureError({
    code: error.code,
    message: `${path}: ${error.message}`,
    ...(hint ? { hint } : {}),
    cause: error,
    path,
    ...(requestId ? { requestId } : {}),
  });
}
