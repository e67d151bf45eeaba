/** The most characters a device's name may have (the server refuses longer ones). */
export const MAX_DEVICE_NAME = 40;
const REMEMBERED = 'pourover-device-name';

/** A name to suggest for this device, from its browser and system ("Chrome on Android"); the shopper may write any other. */
export function suggestedDeviceName(userAgent = navigator.userAgent): string {
  const browser = /Firefox\//.test(userAgent)
    ? 'Firefox'
    : /Edg\//.test(userAgent)
      ? 'Edge'
      : /Chrom(e|ium)\//.test(userAgent)
        ? 'Chrome'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : 'Browser';
  const system = /Android/.test(userAgent)
    ? 'Android'
    : /iPhone|iPad/.test(userAgent)
      ? 'iPhone'
      : /Mac OS/.test(userAgent)
        ? 'Mac'
        : /Windows/.test(userAgent)
          ? 'Windows'
          : /Linux|CrOS/.test(userAgent)
            ? 'Linux'
            : 'this device';
  return `${browser} on ${system}`;
}

/** Keeps the name this device was given, to show it as the shopper wrote it (the server knows it by an id made from it). */
export const rememberDeviceName = (name: string) => localStorage.setItem(REMEMBERED, name.trim());
export const rememberedDeviceName = () => localStorage.getItem(REMEMBERED);
export const forgetDeviceName = () => localStorage.removeItem(REMEMBERED);

/** A device's name as the devices list shows it: its id made readable ("Phone-A-3f9c1a" → "Phone A"). */
export function readableDeviceName(id: string): string {
  return (
    id
      .replace(/-[0-9a-f]{6}$/, '')
      .replace(/[-_]+/g, ' ')
      .trim() || id
  );
}
