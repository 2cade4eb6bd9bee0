import type { SecureContext, SecureContextOptions } from 'node:tls';
import type { ValidationIssue } from './errors.ts';

// node:tls and node:https load only for a client that has a certificate (process.getBuiltinModule, as in
// node-fetch.ts): importing them at the top took 10–15 ms of every process start, for a feature most
// clients never use.

/** Servers to trust on certificate calls instead of the system's roots (a test host such as the sandbox). */
interface TrustOption {
  /**
   * CA certificates (PEM) the server's certificate must chain to on the calls that carry the client
   * certificate. Leave it out for WeChat Pay, whose certificate the system's roots already trust.
   * @default the system's root CAs
   */
  ca?: string | Buffer | readonly (string | Buffer)[];
}

/**
 * The merchant's API client certificate (API证书), for the APIv2 routes that need mutual TLS
 * (`/secapi/pay/refund`): either the PEM pair WeChat Pay issues (`apiclient_cert.pem` and
 * `apiclient_key.pem`) or the PKCS#12 file (`apiclient_cert.p12`) with its passphrase.
 *
 * @example
 * ```ts
 * createClient({ mchId, v2: { apiKey }, clientCertificate: { pfx: readFileSync('apiclient_cert.p12') } }, [vehicleV2]);
 * ```
 */
export type ClientCertificateOptions =
  | (TrustOption & {
      /** `apiclient_cert.pem`. */
      cert: string | Buffer;
      /** `apiclient_key.pem`. */
      key: string | Buffer;
    })
  | (TrustOption & {
      /** `apiclient_cert.p12`. */
      pfx: Buffer | Uint8Array;
      /**
       * The PKCS#12 passphrase. WeChat Pay issues the file protected by the merchant ID.
       * @default options.mchId
       */
      passphrase?: string;
    });

/**
 * A client certificate after checking: loaded once into a TLS context (the PEMs and passphrase dropped),
 * and the fetch that sends it.
 */
export interface ResolvedClientCertificate {
  readonly fetch: Fetch;
}

const expected =
  'a PEM certificate with its private key ({ cert, key }), or a PKCS#12 file with its passphrase ({ pfx, passphrase? }, passphrase default the mchId)';

/**
 * Loads the certificate into a TLS context once, so a wrong passphrase or a key that does not match its
 * certificate is reported by `createClient`, before any call. Nothing of the secret is ever echoed.
 */
export function resolveClientCertificate(
  value: unknown,
  mchId: string | undefined,
  issues: ValidationIssue[],
): ResolvedClientCertificate | undefined {
  const path = 'options.clientCertificate';
  if (typeof value !== 'object' || value === null) {
    issues.push({ path, expected, received: value === null ? 'null' : typeof value });
    return undefined;
  }
  const given = value as Record<string, unknown>;
  const ca = given.ca as TrustOption['ca'];
  const trust = ca === undefined ? {} : { ca: Array.isArray(ca) ? [...ca] : (ca as string | Buffer) };
  const isPem = (v: unknown) => typeof v === 'string' || Buffer.isBuffer(v);
  let settings: SecureContextOptions;
  if (given.pfx !== undefined) {
    if (!(given.pfx instanceof Uint8Array)) {
      issues.push({
        path: `${path}.pfx`,
        expected: 'the bytes of a PKCS#12 file',
        received: typeof given.pfx,
      });
      return undefined;
    }
    const passphrase = given.passphrase ?? mchId;
    if (typeof passphrase !== 'string') {
      issues.push({
        path: `${path}.passphrase`,
        expected: 'the PKCS#12 passphrase (default options.mchId, which is not set)',
        received: 'nothing',
      });
      return undefined;
    }
    settings = { ...trust, pfx: Buffer.from(given.pfx), passphrase };
  } else if (isPem(given.cert) && isPem(given.key)) {
    settings = { ...trust, cert: given.cert as string | Buffer, key: given.key as string | Buffer };
  } else {
    issues.push({ path, expected, received: `an object with ${Object.keys(given).join(', ') || 'no keys'}` });
    return undefined;
  }
  let secureContext: SecureContext;
  try {
    secureContext = process.getBuiltinModule('node:tls').createSecureContext(settings);
  } catch {
    // OpenSSL's message names the failure, never the secret, but stays out anyway: the shape is enough.
    issues.push({
      path,
      expected,
      received:
        given.pfx === undefined
          ? 'a certificate and key Node could not load together (not PEM, or the key does not match)'
          : 'a PKCS#12 Node could not open (a wrong passphrase, or not PKCS#12)',
    });
    return undefined;
  }
  return { fetch: createCertificateFetch(secureContext) };
}

type Fetch = (input: Request | URL | string, init?: RequestInit) => Promise<Response>;

/**
 * A fetch over one keep-alive `https.Agent` holding the client certificate: the TLS set-up is made once per
 * client, connections are reused, and only the routes that need the certificate go through it. Plain
 * `node:https` rather than a second HTTP library: Node's own fetch cannot take a client certificate without
 * an undici dispatcher from npm, whose version must then match the one inside Node.
 */
function createCertificateFetch(secureContext: SecureContext): Fetch {
  const { Agent, request: httpsRequest } = process.getBuiltinModule('node:https');
  const { Readable } = process.getBuiltinModule('node:stream');
  const agent = new Agent({ keepAlive: true, secureContext });
  return async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (url.protocol !== 'https:') {
      throw Object.assign(new Error(`a client certificate is only sent over https, not to ${url.origin}`), {
        code: 'ERR_CLIENT_CERTIFICATE_NEEDS_HTTPS',
      });
    }
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    return new Promise<Response>((resolve, reject) => {
      const outgoing = httpsRequest(
        url,
        { method: request.method, headers, agent, signal: request.signal },
        (incoming) => {
          const responseHeaders = new Headers();
          const raw = incoming.rawHeaders;
          for (let i = 0; i + 1 < raw.length; i += 2) responseHeaders.append(raw[i]!, raw[i + 1]!);
          const status = incoming.statusCode ?? 0;
          const empty = status === 204 || status === 304 || request.method === 'HEAD';
          resolve(
            new Response(empty ? null : (Readable.toWeb(incoming) as ReadableStream<Uint8Array>), {
              status,
              headers: responseHeaders,
            }),
          );
        },
      );
      outgoing.once('error', reject);
      outgoing.end(body);
    });
  };
}
