import { startSandbox } from './http/server.ts';

const sandbox = await startSandbox({ port: 0 });
process.send?.({ url: sandbox.url, config: sandbox.config });
process.once('SIGTERM', () => {
  void sandbox.close().then(() => process.exit(0));
});
