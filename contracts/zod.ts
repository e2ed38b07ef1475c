/**
 * zod, as every contracts module uses it. In a browser the pages run under a CSP without
 * 'unsafe-eval' (server/http/security-headers.ts); zod's compiled parsers probe for eval with
 * `new Function`, which the CSP blocks and reports as a violation, so there they interpret.
 * Servers and agents keep the compiled parsers.
 */
import { z } from "zod";

if (typeof window !== "undefined") z.config({ jitless: true });

export { z };
