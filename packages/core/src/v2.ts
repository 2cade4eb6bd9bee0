import { createNonce, signV2, type V2ApiKey, type V2SignType, verifyV2 } from '@wxpark/signer';
import { ApiError, SignatureError, ValidationError, WxparkError } from './errors.ts';
import { isRetryable } from './retry.ts';
import type { AnyRoute, XmlCodec } from './route.ts';
import type { PreparedAttempt, RawAnswer } from './transport.ts';

/** APIv2 fields as sent and received: a flat record of strings. */
export type V2Fields = Record<string, string>;

const keyHint =
  'the APIv2 key is the 32-character key set under API security in the merchant console; it is not the APIv3 key';

/** Signs, encodes and checks APIv2 calls for one client. */
export class V2Protocol {
  readonly #apiKey: V2ApiKey;
  readonly #codec: XmlCodec;

  constructor(apiKey: V2ApiKey, codec: XmlCodec) {
    this.#apiKey = apiKey;
    this.#codec = codec;
  }

  /** Builds one attempt: a fresh `nonce_str` unless the caller fixed one, then `sign`. */
  prepare(route: AnyRoute, fields: V2Fields, userAgent: string): PreparedAttempt {
    const signed: V2Fields = { ...fields };
    if (!signed.nonce_str) signed.nonce_str = createNonce(32);
    signed.sign = signV2(signed, this.#apiKey, signTypeOf(signed));
    return {
      path: route.path,
      headers: {
        'content-type': 'text/xml; charset=utf-8',
        accept: 'text/xml, application/xml',
        'user-agent': userAgent,
      },
      body: this.#build(signed),
    };
  }

  /**
   * Encodes the body; a value the codec cannot carry (a control character XML 1.0 forbids, say) is bad input,
   * reported as a `ValidationError` naming the field. This runs before the first attempt is sent.
   */
  #build(fields: V2Fields): string {
    try {
      return this.#codec.build(fields);
    } catch (error) {
      if (!WxparkError.isInstance(error)) throw error;
      const field = (error as { field?: unknown }).field;
      if (typeof field !== 'string') throw error;
      throw new ValidationError({
        issues: [{ path: field, expected: 'text an APIv2 XML body can carry', received: error.message }],
      });
    }
  }

  /**
   * Checks an answer: the `sign` is verified with the `sign_type` that was sent (never guessed from its
   * length); failures become `ApiError`; an unsigned success is refused unless the route says WeChat sends
   * none.
   */
  read(route: AnyRoute, sent: V2Fields, answer: RawAnswer): V2Fields {
    const requestId = answer.headers.get('request-id') ?? undefined;
    const base = {
      protocol: 'v2' as const,
      method: route.method,
      path: route.path,
      status: answer.status,
      requestId,
    };
    if (answer.status < 200 || answer.status >= 300) {
      throw new ApiError({
        ...base,
        code: 'HTTP_STATUS',
        message: `${route.method} ${route.path} answered HTTP ${answer.status}`,
        signatureVerified: false,
        isRetryable: isRetryable({ status: answer.status }),
      });
    }
    let fields: V2Fields;
    try {
      fields = this.#codec.parse(answer.body);
    } catch (error) {
      if (WxparkError.isInstance(error)) throw error;
      throw new WxparkError({
        code: 'MALFORMED_RESPONSE',
        message: `${route.path} answered a body that is not APIv2 XML`,
        cause: error,
      });
    }
    const signType = signTypeOf(sent);
    const hasSign = typeof fields.sign === 'string' && fields.sign !== '';
    if (hasSign && !verifyV2(fields, this.#apiKey, signType)) {
      throw new SignatureError({
        code: 'SIGNATURE_MISMATCH',
        message: `${route.path}: the answer's sign does not match its fields under ${signType}`,
        hint: keyHint,
        path: route.path,
        ...(requestId ? { requestId } : {}),
      });
    }
    if (fields.return_code !== 'SUCCESS') {
      const description = fields.return_msg;
      throw new ApiError({
        ...base,
        code: fields.err_code || 'RETURN_CODE_FAIL',
        message: `${route.path}: communication failed: ${description ?? 'no return_msg'}`,
        ...(description?.includes('签名') ? { hint: `${keyHint}; also check sign_type` } : {}),
        ...(description === undefined ? {} : { description }),
        signatureVerified: hasSign,
        isRetryable: isRetryable({ status: answer.status, code: fields.err_code, verified: hasSign }),
      });
    }
    if (fields.result_code !== 'SUCCESS') {
      const code = fields.err_code || 'RESULT_CODE_FAIL';
      const description = fields.err_code_des;
      throw new ApiError({
        ...base,
        code,
        message: `${route.path}: ${code}${description ? `: ${description}` : ''}`,
        ...(description === undefined ? {} : { description }),
        signatureVerified: hasSign,
        isRetryable: isRetryable({ status: answer.status, code, verified: hasSign }),
      });
    }
    if (!hasSign && !route.v2?.unsignedResponse) {
      throw new SignatureError({
        code: 'MISSING_SIGN',
        message: `${route.path}: a success answer without sign was refused; WeChat Pay signs these answers`,
        path: route.path,
        ...(requestId ? { requestId } : {}),
      });
    }
    return fields;
  }
}

function signTypeOf(fields: V2Fields): V2SignType {
  // WeChat's rule: an absent sign_type means MD5.
  return fields.sign_type === 'HMAC-SHA256' ? 'HMAC-SHA256' : 'MD5';
}
