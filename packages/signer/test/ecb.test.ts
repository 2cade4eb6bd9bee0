import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createV2ApiKey, decryptV2RefundInfo, encryptV2RefundInfo } from '../src/index.ts';
import { expectCode, inTmpDir, openssl } from './helpers.ts';

// WeChat's published signing example key, reused here as an APIv2 key.
const rawKey = '192006250b4c09247ec02edce69f6a2d';
const key = createV2ApiKey(rawKey);
const plaintext =
  '<root><out_refund_no><![CDATA[R1]]></out_refund_no><refund_status><![CDATA[SUCCESS]]></refund_status></root>';

/** The same encryption by the openssl CLI, from the documented recipe alone: key = md5(APIv2 key), lowercase hex. */
function opensslEncrypt(text: string, apiKey: string): string {
  const aesKeyHex = Buffer.from(createHash('md5').update(apiKey).digest('hex'), 'ascii').toString('hex');
  return inTmpDir((dir) => {
    writeFileSync(join(dir, 'plain.txt'), text, 'utf8');
    const run = openssl(['enc', '-aes-256-ecb', '-K', aesKeyHex, '-in', 'plain.txt', '-base64', '-A'], dir);
    expect(run.status).toBe(0);
    return run.stdout.trim();
  });
}

describe('APIv2 退款结果通知 req_info (AES-256-ECB, key = md5(APIv2 key) in lowercase hex)', () => {
  it('decrypts what the openssl CLI encrypts by the documented recipe', () => {
    expect(decryptV2RefundInfo(opensslEncrypt(plaintext, rawKey), key)).toBe(plaintext);
  });

  it('encrypts exactly as the openssl CLI does', () => {
    expect(encryptV2RefundInfo(plaintext, key)).toBe(opensslEncrypt(plaintext, rawKey));
  });

  it('round-trips any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
        expect(decryptV2RefundInfo(encryptV2RefundInfo(text, key), key)).toBe(text);
      }),
      { numRuns: 50 },
    );
  });

  it('refuses a ciphertext that is not whole AES blocks, or not base64, with DECRYPT_FAILED', () => {
    const good = encryptV2RefundInfo(plaintext, key);
    expectCode(() => decryptV2RefundInfo(good.slice(0, -4), key), 'DECRYPT_FAILED');
    expectCode(() => decryptV2RefundInfo('not base64!', key), 'DECRYPT_FAILED');
    expectCode(() => decryptV2RefundInfo('', key), 'DECRYPT_FAILED');
  });

  it('refuses the APIv3 key or another APIv2 key (wrong padding) with DECRYPT_FAILED, without the key in the message', () => {
    // A wrong key leaves valid padding about once in 256 texts: use a fixed text known to fail.
    const other = 'a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb';
    const sealed = encryptV2RefundInfo(plaintext, key);
    const error = expectCode(() => decryptV2RefundInfo(sealed, createV2ApiKey(other)), 'DECRYPT_FAILED');
    expect(error.message).not.toContain(other);
    expect(error.message).not.toContain(rawKey);
  });

  it('refuses a key that is not a V2ApiKey', () => {
    expectCode(() => decryptV2RefundInfo('AAAA', rawKey as never), 'INVALID_ARGUMENT');
  });
});
