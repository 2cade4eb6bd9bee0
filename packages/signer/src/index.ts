export { decryptV2RefundInfo, encryptV2RefundInfo } from './ecb.ts';
export { describeValue, SignerError, type SignerErrorCode, type SignerErrorInit } from './errors.ts';
export {
  decryptAeadAes256Gcm,
  decryptResource,
  type EncryptedResource,
  encryptAeadAes256Gcm,
} from './gcm.ts';
export {
  type KeyInput,
  loadPlatformCertificate,
  loadPlatformPublicKey,
  loadPrivateKey,
  type PlatformKey,
  readCertificateSerial,
} from './keys.ts';
export { createNonce } from './nonce.ts';
export { decryptSensitive, encryptSensitive } from './oaep.ts';
export { ApiV3Key, createApiV3Key, createV2ApiKey, V2ApiKey } from './secrets.ts';
export { buildV2SignString, signV2, type V2Params, type V2SignType, verifyV2 } from './v2-sign.ts';
export {
  type AuthorizationInput,
  buildV3SignMessage,
  createAuthorization,
  createRsaSigner,
  type ParsedAuthorization,
  parseAuthorization,
  type RequestSigner,
} from './v3-sign.ts';
export {
  buildV3VerifyMessage,
  PlatformKeySet,
  type PlatformKeySetOptions,
  readWechatpayHeaders,
  type SignatureVerifier,
  signV3Response,
  type VerifyContext,
  type VerifyV3Options,
  verifyV3Signature,
  type WechatpayHeaders,
} from './v3-verify.ts';
