/** What run.ts hands the smoke suite: the sandbox's address and the test merchants' keys. */
export interface SmokeData {
  url: string;
  /** A plate the sandbox knows as NORMAL. */
  plate: string;
  v2: {
    direct: { mchId: string; appId: string; apiKey: string };
    provider: { mchId: string; appId: string; apiKey: string; subMchId: string; subAppId: string };
  };
  v3: {
    parking: V3Merchant;
    mall: V3Merchant;
    parkingId: string;
    brandId: number;
    mallAppId: string;
    openid: string;
  };
}

export interface V3Merchant {
  mchId: string;
  serialNo: string;
  privateKey: string;
  apiV3Key: string;
  publicKeyId: string;
  publicKey: string;
}

export interface SmokeStep {
  name: string;
  ok: boolean;
  detail: string;
  ms: number;
}

/** The line a runtime prints after `WXPARK_SMOKE `. */
export interface SmokeReport {
  /** e.g. `bun 1.4.4`. */
  runtime: string;
  /** Where `@wxpark/core` resolved: the built dist, as users get it. */
  resolved: string;
  steps: SmokeStep[];
}
