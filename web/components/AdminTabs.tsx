import Link from "next/link";

/** The admin pages' own navigation. */
export default function AdminTabs({ current }: { current: "users" | "proposals" }) {
  return (
    <nav aria-label="Admin" className="admin-tabs">
      {(["users", "proposals"] as const).map((t) => (
        <Link key={t} href={`/admin/${t}`} aria-current={t === current ? "page" : undefined}>
          {t === "users" ? "Users and tokens" : "Proposals"}
        </Link>
      ))}
    </nav>
  );
}
