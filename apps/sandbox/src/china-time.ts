const chinaOffsetMs = 8 * 60 * 60 * 1000;

/** `yyyyMMddHHmmss` in China time (UTC+8, no daylight saving), as APIv2 writes times. */
export function formatChinaTime(date: Date): string {
  const shifted = new Date(date.getTime() + chinaOffsetMs);
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    String(shifted.getUTCFullYear()).padStart(4, '0') +
    pad(shifted.getUTCMonth() + 1) +
    pad(shifted.getUTCDate()) +
    pad(shifted.getUTCHours()) +
    pad(shifted.getUTCMinutes()) +
    pad(shifted.getUTCSeconds())
  );
}
