import { createNonce, signV2, type V2ApiKey, type V2SignType, verifyV2 } from '@wxpark/signer';
import { ApiError, SignatureError, ValidationError, WxparkError } from './errors.ts';
import { missingCredentials, resolveV2 } from './options.ts';
import { isRetryable } from './retry.ts';
import type { AnyRoute, Protocol, ProtocolContext, ProtocolPlug, ProtocolResult, XmlCodec } from './route.ts';
import type { PreparedAttempt, RawResponse, SendOptions, Transport } from './transport.ts';

/** APIv2 fields as sent and received: a flat record of strings. */
export type V2Fields = Record<string, string>;

const keyHint =
  'the APIv2 key is the 32-character key set under API security in the merchant console; it is not the APIv3 key';

/** WeChat Pay could not verify the request's `sign`. */
function signErrorHint(mchId: string | undefined): string {
  const merchant = mchId && /^\d{1,32}$/.test(mchId) ? `merchant ${mchId}` : 'the merchant in mch_id';
  return `WeChat Pay could not verify the request's sign: v2.apiKey must be the APIv2 key (not the APIv3 key) of ${merchant}, set under API安全 in its merchant console; the sign_type sent must be one that merchant uses`;
}

function isSignError(code: string | undefined, description: string | undefined): boolean {
  return code === 'SIGNERROR' || code === 'SIGN_ERROR' || (description?.includes('签名') ?? false);
}

/** The APIv2 half of one client: signs each attempt's `sign`, encodes XML, and checks every response. */
export class V2Protocol implements Protocol {
  readonly #apiKey: V2ApiKey;
  readonly #codec: XmlCodec;
  readonly #transport: Transport;
  readonly #userAgent: string;
  readonly #hasClientCertificate: boolean;

  constructor(codec: XmlCodec, context: ProtocolContext) {
    const apiKey = context.options.v2ApiKey;
    if (!apiKey) throw missingCredentials('options.v2.apiKey (the APIv2 API key)');
    this.#apiKey = apiKey;
    this.#codec = codec;
    this.#transport = context.transport;
    this.#userAgent = context.options.userAgent;
    this.#hasClientCertificate = context.options.clientCertificate !== undefined;
  }

  async call(route: AnyRoute, wire: Record<string, unknown>, config: SendOptions): Promise<ProtocolResult> {
    const fields = wire as V2Fields;
    const clientCertificate = route.v2?.clientCertificate === true;
    if (clientCertificate && !this.#hasClientCertificate) {
      throw missingCredentials(
        `options.clientCertificate (${route.path} needs the merchant's API client certificate: apiclient_cert.p12, or apiclient_cert.pem with apiclient_key.pem)`,
      );
    }
    const response = await this.#transport.send(
      route.method,
      async () => this.prepare(route, fields),
      clientCertificate ? { ...config, clientCertificate } : config,
    );
    return { response, data: this.read(route, fields, response) };
  }

  /** Builds one attempt: a fresh `nonce_str` unless the caller fixed one, then `sign`. */
  prepare(route: AnyRoute, fields: V2Fields): PreparedAttempt {
    const signed: V2Fields = { ...fields };
    if (!signed.nonce_str) signed.nonce_str = createNonce(32);
    signed.sign = signV2(signed, this.#apiKey, signTypeOf(signed));
    return {
      path: route.path,
      headers: {
        'content-type': 'text/xml; charset=utf-8',
        accept: 'text/xml, application/xml',
        'user-agent': this.#userAgent,
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
   * Checks a response: the `sign` is verified with the `sign_type` that was sent (never guessed from its
   * length); failures become `ApiError`; an unsigned success is refused unless the route says WeChat sends
   * none.
   */
  read(route: AnyRoute, sent: V2Fields, response: RawResponse): V2Fields {
    const requestId = response.headers.get('request-id') ?? undefined;
    const base = {
      protocol: 'v2' as const,
      method: route.method,
      path: route.path,
      status: response.status,
      requestId,
    };
    if (response.status < 200 || response.status >= 300) {
      throw new ApiError({
        ...base,
        code: 'HTTP_STATUS',
        message: `${route.method} ${route.path} answered HTTP ${response.status}`,
        signatureVerified: false,
        isRetryable: isRetryable({ status: response.status }),
      });
    }
    let fields: V2Fields;
    try {
      fields = this.#codec.parse(response.body);
    } catch (error) {
      // The codec's own refusal (an XmlError: unclosed, too deep, a DOCTYPE) says nothing of the route
      // or that the call got there: wrap every parse failure the same way.
      throw new WxparkError({
        code: 'MALFORMED_RESPONSE',
        message: `${route.path} answered a body that is not APIv2 XML`,
        hint: 'the call reached WeChat Pay and may have been processed: query its state before sending it again',
        cause: error,
      });
    }
    const signType = signTypeOf(sent);
    const hasSign = typeof fields.sign === 'string' && fields.sign !== '';
    if (hasSign && !verifyV2(fields, this.#apiKey, signType)) {
      throw new SignatureError({
        code: 'SIGNATURE_MISMATCH',
        message: `${route.path}: the response's sign does not match its fields under ${signType}`,
        hint: `${keyHint}; the call reached WeChat Pay and may have been processed: query its state before sending it again`,
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
        ...(isSignError(fields.err_code, description) ? { hint: signErrorHint(sent.mch_id) } : {}),
        ...(description === undefined ? {} : { description }),
        signatureVerified: hasSign,
        isRetryable: isRetryable({ status: response.status, code: fields.err_code, verified: hasSign }),
      });
    }
    if (fields.result_code !== 'SUCCESS') {
      const code = fields.err_code || 'RESULT_CODE_FAIL';
      const description = fields.err_code_des;
      throw new ApiError({
        ...base,
        code,
        message: `${route.path}: ${code}${description ? `: ${description}` : ''}`,
        ...(isSignError(code, description) ? { hint: signErrorHint(sent.mch_id) } : {}),
        ...(description === undefined ? {} : { description }),
        signatureVerified: hasSign,
        isRetryable: isRetryable({ status: response.status, code, verified: hasSign }),
      });
    }
    if (!hasSign && !route.v2?.unsignedResponse) {
      throw new SignatureError({
        code: 'MISSING_SIGN',
        message: `${route.path}: a success response without sign was refused; WeChat Pay signs these responses`,
        path: route.path,
        ...(requestId ? { requestId } : {}),
      });
    }
    return fields;
  }
}

/**
 * The APIv2 support a package with APIv2 routes brings to a client, with the XML codec it uses:
 * `definePackage({ …, v2: apiV2({ build: buildXml, parse: parseXml }) })`.
 */
export function apiV2(codec: XmlCodec): ProtocolPlug {
  return { resolveOptions: resolveV2, create: (context) => new V2Protocol(codec, context) };
}

function signTypeOf(fields: V2Fields): V2SignType {
  // WeChat's rule: an absent sign_type means MD5.
  return fields.sign_type === 'HMAC-SHA256' ? 'HMAC-SHA256' : 'MD5';
}
