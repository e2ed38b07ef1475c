/** Lightbook's version, reported by the server's /api and by every agent as it registers. */
export const VERSION = "0.1.0";
