#!/usr/bin/env node
// `lightbook` (and `npm start`): the server in this very process, with tsx registered here rather
// than by a wrapper process, so a signal sent to this pid reaches the server's own graceful stop.
await import("tsx");
await import("../server/main.ts");
