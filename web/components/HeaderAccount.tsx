"use client";

// The header's right side: the proposal switcher (opens a proposal's or the personal notebook
// folder), the Admin link for admins, and the account.

import { useRouter, useSearchParams } from "next/navigation";
import { useEffect, useState } from "react";
import type { Principal } from "../../contracts/accounts";
import { getMe, getMySpaces, type MySpaces } from "../lib/adminApi";

export default function HeaderAccount() {
  const router = useRouter();
  const dir = useSearchParams().get("dir") ?? "";
  const [me, setMe] = useState<Principal | null>(null);
  const [spaces, setSpaces] = useState<MySpaces | null>(null);
  useEffect(() => {
    // The header works without them (e.g. the server's token, which is nobody's account).
    getMe().then(setMe, () => undefined);
    getMySpaces().then(setSpaces, () => undefined);
  }, []);
  const current = spaces && [spaces.personal, ...spaces.proposals.map((p) => p.path)].find((p) => dir === p || dir.startsWith(`${p}/`));
  return (
    <div className="header-account">
      {spaces && (
        <select aria-label="Proposal" value={current ?? ""} onChange={(e) => router.push(e.target.value ? `/?dir=${encodeURIComponent(e.target.value)}` : "/")}>
          <option value="">All notebooks</option>
          <option value={spaces.personal}>My notebooks</option>
          {spaces.proposals.map((p) => (
            <option key={p.id} value={p.path}>
              {p.number}
              {p.title ? ` · ${p.title}` : ""} ({p.beamline})
            </option>
          ))}
        </select>
      )}
      {me?.role === "admin" && <a href="/admin/users">Admin</a>}
      {me && (
        <a href="/account" title="Account and API tokens" aria-label={`Account: ${me.username}`}>
          {me.username}
        </a>
      )}
    </div>
  );
}
