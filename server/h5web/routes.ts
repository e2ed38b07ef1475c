import express, { Router } from "express";
import { H5WEB_OUT_DIR } from "./build.ts";

/** The H5Web page at /h5web/ (behind the same session auth as everything else). */
export function h5webRoutes(): Router {
  const r = Router();
  r.use("/h5web", express.static(H5WEB_OUT_DIR, { dotfiles: "ignore" }));
  return r;
}
