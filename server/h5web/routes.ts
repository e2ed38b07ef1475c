import compression from "compression";
import express, { Router } from "express";
import { H5WEB_OUT_DIR } from "./build.ts";

/** The H5Web page at /h5web/ (behind the same session auth as everything else). */
export function h5webRoutes(): Router {
  const r = Router();
  // The bundle (H5Web, three.js, h5wasm's WebAssembly) is 5.5 MB, 1.6 MB gzipped: remote users feel it.
  r.use("/h5web", compression(), express.static(H5WEB_OUT_DIR, { dotfiles: "ignore" }));
  return r;
}
