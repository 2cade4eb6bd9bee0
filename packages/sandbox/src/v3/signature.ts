import { createNonce, createRsaSigner, type RequestSigner, signV3Response } from '@wxpark/signer';
import { randomDigits } from '../ids.ts';
import { cachedKeyPair, randomSerial } from '../keys/keys.ts';
import type { HeldPlatformKey } from '../keys/platform-keys.ts';
import type { SignatureHostileMode } from '../types.ts';

export const signatureType = 'WECHATPAY2-SHA256-RSA2048';

/** The signature hostile modes, in the order the types document them. */
export const signatureModes: readonly SignatureHostileMode[] = [
  'bad-sign',
  'no-sign',
  'wrong-key-sign',
  'signtest',
  'stale-timestamp',
  'unknown-serial',
];

let stranger: RequestSigner | undefined;

/** A key no config holds: for answers signed "correctly, with the wrong key". */
function strangerSigner(): RequestSigner {
  stranger ??= createRsaSigner(cachedKeyPair('stranger').privateKey);
  return stranger;
}

/**
 * The `Wechatpay-*` headers of an APIv3 answer or callback: a signature over `timestamp\nnonce\nbody\n` with
 * the platform key, or a spoiled one when `spoil` names a hostile mode ('no-sign' gives no headers at all).
 */
export async function wechatpayHeaders(
  key: HeldPlatformKey,
  body: string,
  spoil?: SignatureHostileMode,
): Promise<Record<string, string>> {
  if (spoil === 'no-sign') return {};
  const now = Math.floor(Date.now() / 1000);
  const timestamp = String(spoil === 'stale-timestamp' ? now - 600 : now);
  const nonce = createNonce(32);
  let serial = key.id;
  let signature: string;
  switch (spoil) {
    case 'bad-sign':
      // The genuine key over another nonce: well-formed base64 of the right length that does not verify.
      signature = await signV3Response(key.signer, timestamp, createNonce(32), body);
      break;
    case 'wrong-key-sign':
      signature = await signV3Response(strangerSigner(), timestamp, nonce, body);
      break;
    case 'unknown-serial':
      serial = key.kind === 'public-key' ? `PUB_KEY_ID_01${randomDigits(26)}` : randomSerial();
      signature = await signV3Response(strangerSigner(), timestamp, nonce, body);
      break;
    case 'signtest':
      signature = `WECHATPAY/SIGNTEST/${createNonce(32)}`;
      break;
    default:
      signature = await signV3Response(key.signer, timestamp, nonce, body);
  }
  return {
    'Wechatpay-Nonce': nonce,
    'Wechatpay-Signature': signature,
    'Wechatpay-Timestamp': timestamp,
    'Wechatpay-Serial': serial,
    'Wechatpay-Signature-Type': signatureType,
  };
}
