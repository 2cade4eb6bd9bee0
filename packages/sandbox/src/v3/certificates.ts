import { createApiV3Key, createNonce, encryptAeadAes256Gcm } from '@wxpark/signer';
import { formatChinaRfc3339 } from '../china-time.ts';
import type { SandboxState } from '../state.ts';
import type { V3Endpoint } from './endpoint.ts';
import { oneOf, optional } from './fields.ts';
import { v3Error, v3Ok } from './reply.ts';

/**
 * 下载平台证书 (`GET /v3/certificates`). In 'public-key' mode WeChat has no certificates for the merchant
 * and says so with 404; in 'certificate' mode it lists every certificate not retired, each encrypted with the
 * calling merchant's own APIv3 key.
 */
export function certificatesEndpoint(state: SandboxState): V3Endpoint {
  return {
    method: 'GET',
    path: '/v3/certificates',
    fields: { algorithm_type: optional(oneOf(['RSA', 'SM2', 'ALL'])) },
    process({ merchant, fields }) {
      const { keyring } = state.v3;
      if (keyring.mode === 'public-key') {
        return v3Error(
          404,
          'RESOURCE_NOT_EXISTS',
          '无可用的平台证书，请在商户平台-API安全申请使用微信支付公钥',
        );
      }
      // The sandbox only has RSA certificates: asking for SM2 alone lists nothing.
      const certificates = fields.algorithm_type === 'SM2' ? [] : keyring.certificates();
      const key = createApiV3Key(merchant.v3.apiV3Key);
      const data = certificates.map((held) => {
        const nonce = createNonce(12);
        return {
          serial_no: held.id,
          effective_time: formatChinaRfc3339(held.certificate!.notBefore),
          expire_time: formatChinaRfc3339(held.certificate!.notAfter),
          encrypt_certificate: {
            algorithm: 'AEAD_AES_256_GCM',
            nonce,
            associated_data: 'certificate',
            ciphertext: encryptAeadAes256Gcm({
              key,
              nonce,
              associatedData: 'certificate',
              plaintext: held.certificate!.pem,
            }),
          },
        };
      });
      return v3Ok({ data }, `${data.length} certificate(s)`);
    },
  };
}
