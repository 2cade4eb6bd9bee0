export { generateSandboxConfig } from './config.ts';
export { CallbackError, SandboxConfigError, SandboxUsageError } from './errors.ts';
export { type SandboxProcess, startSandboxProcess } from './process.ts';
export { startSandbox } from './server.ts';
export type {
  AnswerOverride,
  FailNextOptions,
  HostileMode,
  RecordedRequest,
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
  SandboxVehicleUser,
  SendV3NoticeOptions,
  SignatureHostileMode,
  V3KeyMode,
  V3NoticeDelivery,
} from './types.ts';
