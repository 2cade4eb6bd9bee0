export { clientFor, type SandboxClientOverrides } from './client.ts';
export { type FloodOptions, type FloodServer, listenFlood } from './flood.ts';
export { closedUrl, type ListeningServer, listen } from './listen.ts';
export { merchantsOf, type SandboxV3Merchant } from './merchants.ts';
export { routesWithoutErrors } from './routes.ts';
export { useSandbox } from './sandbox.ts';
export { tempDir } from './temp-dir.ts';
