const chinaOffsetMs = 8 * 60 * 60 * 1000;

function chinaParts(date: Date): string[] {
  if (Number.isNaN(date.getTime())) throw new RangeError('invalid Date');
  // China Standard Time has had no daylight saving since 1991, so a fixed +08:00 is exact.
  const shifted = new Date(date.getTime() + chinaOffsetMs).toISOString();
  return [
    shifted.slice(0, 4),
    shifted.slice(5, 7),
    shifted.slice(8, 10),
    shifted.slice(11, 13),
    shifted.slice(14, 16),
    shifted.slice(17, 19),
  ];
}

/** `yyyyMMddHHmmss` in China time, as APIv2 time fields are written. */
export function formatChinaCompactTime(date: Date): string {
  return chinaParts(date).join('');
}

/** RFC 3339 in China time (`2026-11-24T10:34:56+08:00`), as APIv3 time fields are written. */
export function formatChinaRfc3339(date: Date): string {
  const [year, month, day, hour, minute, second] = chinaParts(date);
  return `${year}-${month}-${day}T${hour}:${minute}:${second}+08:00`;
}

const rfc3339Shape =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))$/;
const compactShape = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/;

// Date.parse rolls 2026-02-30 over to March, so the calendar is checked field by field.
function isCalendarTime(parts: readonly (string | undefined)[]): boolean {
  const [year, month, day, hour, minute, second] = parts.map(Number) as number[];
  if (!(month! >= 1 && month! <= 12 && hour! <= 23 && minute! <= 59 && second! <= 59)) return false;
  const daysInMonth = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
  return day! >= 1 && day! <= daysInMonth;
}

/** RFC 3339 with a numeric offset or Z, and a real calendar time (no 30 February, no hour 24). */
export function isRfc3339(value: string): boolean {
  const match = rfc3339Shape.exec(value);
  if (!match || !isCalendarTime(match.slice(1, 7))) return false;
  const [offsetHours, offsetMinutes] = [match[7], match[8]];
  return offsetHours === undefined || (Number(offsetHours) <= 23 && Number(offsetMinutes) <= 59);
}

/** `yyyyMMddHHmmss` naming a real calendar time, as APIv2 time fields are written. */
export function isCompactTime(value: string): boolean {
  const match = compactShape.exec(value);
  return match !== null && isCalendarTime(match.slice(1, 7));
}
