export { generateSandboxConfig } from './config.ts';
export { startSandbox } from './server.ts';
export type {
  HostileMode,
  RecordedRequest,
  Sandbox,
  SandboxConfig,
  SandboxMerchant,
  SandboxOptions,
  SandboxVehicleUser,
} from './types.ts';
