export type { CliIo } from './context.ts';
export { type SettingName, settingNames } from './credentials.ts';
export { exitCodes } from './errors.ts';
export { runCli } from './program.ts';
