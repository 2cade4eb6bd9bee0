// The floors: what a caller writing straight on node:crypto and a bare HTTP client pays for the same calls.
// Every call signs afresh (a new nonce and timestamp, RSA or HMAC over the exact bytes sent) and checks the
// answer's signature, with the keys parsed once, as wxpark parses them once: like for like, only without an
// SDK in between.
import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  randomBytes,
  sign,
  verify,
} from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { XMLParser } from 'fast-xml-parser';

/** A plain HTTP exchange: status, a header getter, and the body bytes. */
export interface Exchange {
  status: number;
  header(name: string): string | undefined;
  body: Buffer;
}

/** Sends one request and reads the whole answer. */
export type Send = (
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: string,
) => Promise<Exchange>;

/** node:http over one keep-alive agent: the lowest floor Node offers. */
export function createHttpSend(): Send {
  const agent = new Agent({ keepAlive: true });
  const send: Send = (method, url, headers, body) =>
    new Promise((resolve, reject) => {
      const request = httpRequest(url, { method, headers, agent }, (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const raw = answer.headers;
          resolve({
            status: answer.statusCode ?? 0,
            header: (name) => {
              const value = raw[name];
              return Array.isArray(value) ? value.join(', ') : value;
            },
            body: Buffer.concat(chunks),
          });
        });
        answer.on('error', reject);
      });
      request.on('error', (error: NodeJS.ErrnoException) => {
        // A kept-alive socket the server closed as it was reused (an idle gap between the benchmark's rounds
        // near the server's keep-alive timeout): the request never reached it, so it is sent again, once, as
        // Node's documentation advises; a benchmark must not die of it.
        if (request.reusedSocket && error.code === 'ECONNRESET')
          send(method, url, headers, body).then(resolve, reject);
        else reject(error);
      });
      request.end(body);
    });
  return send;
}

/** The global fetch (undici), as an application would call it. */
export function createFetchSend(): Send {
  return async (method, url, headers, body) => {
    const answer = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
    const bytes = Buffer.from(await answer.arrayBuffer());
    return {
      status: answer.status,
      header: (name) => answer.headers.get(name) ?? undefined,
      body: bytes,
    };
  };
}

/** APIv3 credentials, parsed once. */
export interface V3Keys {
  mchId: string;
  serialNo: string;
  privateKey: KeyObject;
  publicKeyId: string;
  publicKey: KeyObject;
}

export function loadV3Keys(options: {
  mchId: string;
  serialNo: string;
  privateKey: string;
  publicKeyId: string;
  publicKey: string;
}): V3Keys {
  return {
    mchId: options.mchId,
    serialNo: options.serialNo.toUpperCase(),
    privateKey: createPrivateKey(options.privateKey),
    publicKeyId: options.publicKeyId,
    publicKey: createPublicKey(options.publicKey),
  };
}

/** The APIv3 Authorization for one attempt, on node:crypto. */
export function v3Authorization(keys: V3Keys, method: string, url: string, body: string): string {
  const nonce = randomBytes(16).toString('hex');
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = sign(
    'sha256',
    Buffer.from(`${method}\n${url}\n${timestamp}\n${nonce}\n${body}\n`),
    keys.privateKey,
  ).toString('base64');
  return (
    `WECHATPAY2-SHA256-RSA2048 mchid="${keys.mchId}",nonce_str="${nonce}",timestamp="${timestamp}",` +
    `serial_no="${keys.serialNo}",signature="${signature}"`
  );
}

/** Checks an APIv3 answer's signature, key id and timestamp window; throws when any fails. */
export function verifyV3Answer(keys: V3Keys, exchange: Pick<Exchange, 'header' | 'body'>): void {
  const timestamp = exchange.header('wechatpay-timestamp');
  const nonce = exchange.header('wechatpay-nonce');
  const signature = exchange.header('wechatpay-signature');
  const serial = exchange.header('wechatpay-serial');
  if (!timestamp || !nonce || !signature || serial !== keys.publicKeyId)
    throw new Error('the answer is not signed with the WeChat Pay public key');
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) throw new Error('the answer is too old');
  const message = Buffer.concat([Buffer.from(`${timestamp}\n${nonce}\n`), exchange.body, Buffer.from('\n')]);
  if (!verify('sha256', message, keys.publicKey, Buffer.from(signature, 'base64')))
    throw new Error('the answer signature does not verify');
}

/** One APIv3 call on a floor: sign, send, verify, parse. */
export function v3Floor(
  send: Send,
  keys: V3Keys,
  base: string,
  call: { method: 'GET' | 'POST'; url: string; body?: string; status: number },
): () => Promise<unknown> {
  const { method, url, body, status } = call;
  return async () => {
    const headers: Record<string, string> = {
      authorization: v3Authorization(keys, method, url, body ?? ''),
      accept: 'application/json',
      'user-agent': 'floor',
      'wechatpay-serial': keys.publicKeyId,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    };
    const answer = await send(method, base + url, headers, body);
    if (answer.status !== status) throw new Error(`HTTP ${answer.status}: ${answer.body}`);
    verifyV3Answer(keys, answer);
    return answer.body.byteLength === 0 ? {} : JSON.parse(answer.body.toString('utf8'));
  };
}

const xml = new XMLParser({ parseTagValue: false, processEntities: false, ignoreDeclaration: true });

function signV2(fields: Record<string, string>, key: string): string {
  const text = Object.keys(fields)
    .filter((name) => name !== 'sign' && fields[name] !== '')
    .sort()
    .map((name) => `${name}=${fields[name]}`)
    .join('&');
  return createHmac('sha256', key).update(`${text}&key=${key}`).digest('hex').toUpperCase();
}

/** One APIv2 HMAC-SHA256 call on a floor: sign, build XML, send, parse, verify the answer's sign. */
export function v2Floor(
  send: Send,
  apiKey: string,
  url: string,
  fields: Record<string, string>,
): () => Promise<unknown> {
  return async () => {
    const signed: Record<string, string> = { ...fields, nonce_str: randomBytes(16).toString('hex') };
    signed.sign = signV2(signed, apiKey);
    let body = '<xml>';
    for (const [name, value] of Object.entries(signed)) body += `<${name}><![CDATA[${value}]]></${name}>`;
    body += '</xml>';
    const answer = await send('POST', url, { 'content-type': 'text/xml; charset=utf-8' }, body);
    if (answer.status !== 200) throw new Error(`HTTP ${answer.status}`);
    const parsed = (xml.parse(answer.body.toString('utf8')) as { xml: Record<string, string> }).xml;
    if (parsed.return_code !== 'SUCCESS' || parsed.result_code !== 'SUCCESS')
      throw new Error(`the call failed: ${answer.body}`);
    if (parsed.sign !== signV2(parsed, apiKey)) throw new Error('the answer sign does not verify');
    return parsed;
  };
}
