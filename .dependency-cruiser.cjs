/**
 * The parts and the direction of their imports (DESIGN.md, Parts): each part may import only the
 * parts below it. `npm run lint` checks it, so a shortcut back up (an agent loading the server's
 * Express app to read one constant) fails CI instead of growing.
 */
const below = {
  runtime: [],
  contracts: ["runtime"],
  analysis: ["runtime", "contracts"],
  queue: ["runtime", "contracts"],
  kernel: ["runtime", "contracts", "analysis"],
  agent: ["runtime", "contracts", "analysis", "queue"],
  server: ["runtime", "contracts", "analysis", "queue", "kernel"],
  web: ["contracts"],
};
const parts = Object.keys(below);

module.exports = {
  forbidden: [
    ...parts.map((part) => ({
      name: `${part}-imports-down-only`,
      comment: `${part}/ may import ${below[part].length ? below[part].join(", ") : "no other part"} (DESIGN.md, Parts)`,
      severity: "error",
      from: { path: `^${part}/` },
      to: { path: `^(${parts.filter((p) => p !== part && !below[part].includes(p)).join("|")})/` },
    })),
    {
      name: "kernel-uses-server-public-modules-only",
      comment: "the server talks to kernels through the kernel's protocol, client and kernelspec, not its handler",
      severity: "error",
      from: { path: "^server/" },
      to: { path: "^kernel/(handler|language|transport|workflow)/" },
    },
    {
      name: "agent-loads-no-web-server",
      comment: "an agent on a compute node starts without Express, Next.js or React, through any chain of our modules",
      severity: "error",
      from: { path: "^agent/main\\.ts$" },
      to: { path: "node_modules/(express|next|react|react-dom|ws)/", reachable: true },
    },
    {
      name: "no-unresolvable-relative-import",
      comment: "a relative import that names no file (packages resolve through their own exports maps)",
      severity: "error",
      from: {},
      to: { couldNotResolve: true, path: "^\\.\\.?/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(\\.next|dist|generated)/" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: [".ts", ".tsx", ".js", ".mjs", ".json"], conditionNames: ["import", "require", "node", "default"] },
  },
};
