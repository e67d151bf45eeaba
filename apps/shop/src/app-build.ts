declare const __APP_BUILD__: string;

/** This build of the shop (its version and build time, set by Vite's `define` in vite.config.ts), named to the server with every request. */
export const APP_BUILD = __APP_BUILD__;
