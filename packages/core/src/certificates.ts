import {
  type ApiV3Key,
  decryptResource,
  type EncryptedResource,
  loadPlatformCertificate,
  type PlatformKey,
  PlatformKeySet,
  readWechatpayHeaders,
  type SignatureVerifier,
  verifyV3Signature,
} from '@wxpark/signer';
import { ApiError, SignatureError, WxparkError } from './errors.ts';
import { isRetryable } from './retry.ts';
import { defineRoute } from './route.ts';
import { answerOf, array, object, optional, text } from './schema.ts';
import type { RawResponse } from './transport.ts';
import { toSignatureError } from './v3-signature.ts';

/**
 * 下载平台证书: `GET /v3/certificates`. Used by certificate mode; a tool composes it into a client of its own to
 * download the certificates (the client signs the call and verifies the answer; decrypt each entry yourself).
 */
// Pure for bundlers: a bundle that never downloads certificates (APIv2 only) drops the whole definition.
export const certificatesRoute = /* @__PURE__ */ defineRoute({
  protocol: 'v3',
  method: 'GET',
  path: '/v3/certificates',
  title: '下载平台证书',
  request: object({}),
  // Read by readCertificates, which decrypts and checks each entry itself.
  response: answerOf<{ data: PlatformCertificateEntry[] }>()({
    data: array(
      answerOf<PlatformCertificateEntry>()({
        serial_no: text(),
        effective_time: text(),
        expire_time: text(),
        encrypt_certificate: answerOf<EncryptedResource>()({
          algorithm: text(),
          ciphertext: text(),
          nonce: text(),
          associated_data: optional(text()),
          original_type: optional(text()),
        }),
      }),
    ),
  }),
});

/** One entry of a `/v3/certificates` answer: a platform certificate, still encrypted with the APIv3 key. */
export interface PlatformCertificateEntry {
  serial_no: string;
  effective_time: string;
  expire_time: string;
  encrypt_certificate: EncryptedResource;
}

/**
 * Reads a `/v3/certificates` response: decrypts every certificate with the APIv3 key (only WeChat Pay and the
 * merchant hold it, so a successful decryption authenticates them), checks each serial, then verifies the
 * response's own signature with them.
 */
export async function readCertificates(
  response: RawResponse,
  apiV3Key: ApiV3Key,
  windowSeconds: number,
): Promise<PlatformKey[]> {
  const requestId = response.headers.get('request-id') ?? undefined;
  if (response.status === 404) {
    throw new WxparkError({
      code: 'NO_PLATFORM_CERTIFICATES',
      message:
        'WeChat Pay has no platform certificates for this merchant (404 RESOURCE_NOT_EXISTS from /v3/certificates)',
      hint: 'merchants registered recently use the WeChat Pay public key instead: set v3.publicKey to { id: "PUB_KEY_ID_…", key } from the merchant console (API安全 → 微信支付公钥)',
    });
  }
  if (response.status !== 200) {
    throw new ApiError({
      code: 'HTTP_STATUS',
      // The body is unverified and may come from a proxy: it stays out of the message.
      message: `GET /v3/certificates answered HTTP ${response.status}`,
      status: response.status,
      protocol: 'v3',
      method: 'GET',
      path: '/v3/certificates',
      ...(requestId ? { requestId } : {}),
      signatureVerified: false,
      isRetryable: isRetryable({ status: response.status }),
    });
  }
  // The certificates cannot be verified by keys not yet held, so trust is bootstrapped as WeChat Pay
  // documents: the headers, probe and timestamp are checked first; only then are the entries decrypted,
  // which the AES-GCM tag under the APIv3 key authenticates; and the response's signature must verify with
  // the certificate it names among them.
  let keys: PlatformKey[] = [];
  const bootstrap: SignatureVerifier = {
    verify(serial, message, signature, context) {
      keys = decryptEntries(response.body, apiV3Key);
      return new PlatformKeySet(keys).verify(serial, message, signature, context);
    },
  };
  const headers = readWechatpayHeaders(response.headers);
  try {
    await verifyV3Signature({ headers, body: response.bytes, verifier: bootstrap, windowSeconds });
  } catch (error) {
    throw toSignatureError(error, '/v3/certificates', requestId, { serial: headers.serial, method: 'GET' });
  }
  return keys;
}

function decryptEntries(body: string, apiV3Key: ApiV3Key): PlatformKey[] {
  let entries: PlatformCertificateEntry[];
  try {
    entries = (JSON.parse(body) as { data: PlatformCertificateEntry[] }).data;
    if (!Array.isArray(entries)) throw new TypeError('data is not an array');
  } catch (error) {
    throw new WxparkError({
      code: 'MALFORMED_RESPONSE',
      message: '/v3/certificates answered a body without data[]',
      cause: error,
    });
  }
  return entries.map((entry) => {
    const key = loadPlatformCertificate(decryptResource(entry.encrypt_certificate, apiV3Key));
    if (key.id !== String(entry.serial_no).toUpperCase()) {
      throw new SignatureError({
        code: 'SERIAL_MISMATCH',
        message: `/v3/certificates listed serial ${entry.serial_no} for a certificate whose serial is ${key.id}`,
        path: '/v3/certificates',
      });
    }
    return key;
  });
}
