export { CallbackError, SandboxConfigError, SandboxUsageError } from './errors.ts';
export type { Verdict, VerdictStage, Why } from './http/reply.ts';
export { startSandbox } from './http/server.ts';
export type { InspectedNotice, InspectedRequest, JournalEntry, NoticeAttempt } from './inspector/journal.ts';
export { generateSandboxConfig } from './keys/config.ts';
export { type SandboxProcess, startSandboxProcess } from './process.ts';
export type {
  AnswerOverride,
  FailNextOptions,
  HostileMode,
  RecordedRequest,
  RefundOutcome,
  Sandbox,
  SandboxBrand,
  SandboxConfig,
  SandboxConfigInput,
  SandboxMallMember,
  SandboxMerchant,
  SandboxMerchantV3,
  SandboxOptions,
  SandboxParkingLot,
  SandboxPlatform,
  SandboxPlatformCertificate,
  SandboxTls,
  SandboxVehicleUser,
  SendV3NoticeOptions,
  SignatureHostileMode,
  V3KeyMode,
  V3NoticeDelivery,
} from './types.ts';
