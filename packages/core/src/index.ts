export { describeValue } from '@wxpark/signer';
export { certificatesRoute, type PlatformCertificateEntry } from './certificates.ts';
export {
  type CallConfig,
  type CallData,
  type Client,
  createClient,
  type Endpoint,
  getNoticeKeys,
  type RouteCall,
  type RoutesOf,
  type RouteTree,
  type WxparkResponse,
} from './client.ts';
export type { ClientCertificateOptions } from './client-certificate.ts';
export {
  ApiError,
  type ApiErrorCode,
  type ApiErrorDetail,
  SignatureError,
  type SignatureErrorCode,
  type TransportAttempt,
  TransportError,
  type TransportErrorCode,
  ValidationError,
  type ValidationErrorCode,
  type ValidationIssue,
  WxparkError,
  type WxparkErrorCode,
  type WxparkErrorInit,
} from './errors.ts';
export { type RouteApiError, type RouteErrorCode, routeError } from './known-errors.ts';
export { type NodeNoticeRequest, type RawBodySource, readRawBody } from './notices/body.ts';
export {
  createFastifyNoticePlugin,
  type FastifyInstanceLike,
  type FastifyNoticePluginOptions,
  type FastifyReplyLike,
  type HonoContextLike,
  type HonoRequestLike,
  type KoaContextLike,
} from './notices/frameworks.ts';
export {
  createNoticeHandler,
  type NoticeHandler,
  type NoticeHandlerOptions,
  type NoticeHeaders,
  type NoticeProtocol,
  type NoticeReply,
} from './notices/pipeline.ts';
export {
  createMemoryNoticeStore,
  type MemoryNoticeStoreOptions,
  type NoticeClaim,
  type NoticeStore,
  type StoredNoticeReply,
} from './notices/store.ts';
export {
  createV3NoticeHandler,
  type V3Notice,
  type V3NoticeHandler,
  type V3NoticeHandlerOptions,
  type V3NoticeKeys,
  type V3NoticeReply,
  verifyV3Notice,
} from './notices/v3.ts';
export {
  type ClientOptions,
  defaultBackupBaseUrls,
  defaultBaseUrl,
  defaultMaxResponseBytes,
  type RetryOptions,
  type V2Options,
  type V3Options,
} from './options.ts';
export { createPlatformKeys, type PlatformKeyProvider, type PlatformKeysOptions } from './platform-keys.ts';
export {
  decideReleaseOnFailure,
  type QueryOutcome,
  type QueryUntilKnownOptions,
  queryUntilKnown,
  type ReleaseDecision,
} from './query-until-known.ts';
export {
  type AnyRoute,
  definePackage,
  defineRoute,
  type HttpMethod,
  type KnownError,
  type Protocol,
  type ProtocolContext,
  type ProtocolPlug,
  type ProtocolResult,
  type RequestSchema,
  type RouteDefinition,
  type RouteInit,
  type RouteMap,
  type RoutePackage,
  type RouteRequest,
  type RouteResponse,
  type V2RouteRules,
  type V3RouteRules,
  type XmlCodec,
} from './route.ts';
export {
  answerOf,
  anyObject,
  array,
  boolean,
  discriminated,
  discriminatedOf,
  either,
  integer,
  object,
  objectOf,
  oneOf,
  openEnum,
  optional,
  refine,
  rfc3339,
  runSchema,
  type Schema,
  type SchemaInput,
  type SchemaOutput,
  type StandardIssue,
  type StandardResult,
  type StandardSchema,
  type StringRules,
  string,
  text,
  toStandardSchema,
  transform,
} from './schema.ts';
export { formatChinaCompactTime, formatChinaRfc3339, isCompactTime, isRfc3339 } from './time.ts';
export { isUnreachable } from './transport.ts';
export { apiV2 } from './v2.ts';
export { apiV3 } from './v3.ts';
