import type { Metadata } from "next";
import Link from "next/link";
import { type ReactNode, Suspense } from "react";
import HeaderAccount from "../components/HeaderAccount";
import "katex/dist/katex.min.css";
import "./globals.css";

// Every page renders per request: Next puts the request's CSP nonce on its inline scripts only
// when it renders (server/http/security-headers.ts), so a prerendered page's scripts would be blocked.
export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: { default: "Lightbook", template: "%s · Lightbook" },
  description: "Notebooks for beamline data",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="app-header">
          <Link href="/" className="brand">
            Lightbook
          </Link>
          <nav aria-label="Main" className="app-nav">
            <Link href="/">Notebooks</Link>
            <Link href="/data">Data</Link>
            <Link href="/runs">Runs</Link>
            <Link href="/agents">Agents</Link>
          </nav>
          {/* The switcher reads the folder from the query string, known only in the browser. */}
          <Suspense>
            <HeaderAccount />
          </Suspense>
        </header>
        <main className="app-main">{children}</main>
      </body>
    </html>
  );
}
