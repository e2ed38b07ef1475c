import Link from "next/link";

const TABS = { users: "Users and tokens", proposals: "Proposals", audit: "Audit trail" } as const;

/** The admin pages' own navigation. */
export default function AdminTabs({ current }: { current: keyof typeof TABS }) {
  return (
    <nav aria-label="Admin" className="admin-tabs">
      {Object.entries(TABS).map(([t, label]) => (
        <Link key={t} href={`/admin/${t}`} aria-current={t === current ? "page" : undefined}>
          {label}
        </Link>
      ))}
    </nav>
  );
}
