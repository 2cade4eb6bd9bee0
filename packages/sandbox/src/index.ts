export { CallbackError, SandboxConfigError, SandboxUsageError } from './errors.ts';
export { startSandbox } from './http/server.ts';
export { generateSandboxConfig } from './keys/config.ts';
export { type SandboxProcess, startSandboxProcess } from './process.ts';
export type {
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
