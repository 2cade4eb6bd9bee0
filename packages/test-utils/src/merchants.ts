import type { Sandbox, SandboxMerchant, SandboxMerchantV3 } from '@wxpark/sandbox';

/** A sandbox merchant with its APIv3 credentials (the sandbox generates them for every merchant). */
export type SandboxV3Merchant = SandboxMerchant & { v3: SandboxMerchantV3 };

/**
 * The direct merchant and the service provider (the one with sub-merchants) of a sandbox's configuration,
 * each with its APIv3 credentials.
 */
export function merchantsOf(sandbox: Pick<Sandbox, 'config'>): {
  direct: SandboxV3Merchant;
  provider: SandboxV3Merchant;
} {
  const merchants = sandbox.config.merchants;
  return {
    direct: withV3(merchants.find((m) => !m.subMerchants?.length)),
    provider: withV3(merchants.find((m) => m.subMerchants?.length)),
  };
}

function withV3(merchant: SandboxMerchant | undefined): SandboxV3Merchant {
  if (!merchant?.v3) throw new Error('the sandbox configuration has no such merchant with APIv3 credentials');
  return merchant as SandboxV3Merchant;
}
