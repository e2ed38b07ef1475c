import type { Metadata } from "next";
import AdminAudit from "../../../components/AdminAudit";
import AdminTabs from "../../../components/AdminTabs";

export const metadata: Metadata = { title: "Audit · Admin" };

export default function AdminAuditPage() {
  return (
    <>
      <AdminTabs current="audit" />
      <AdminAudit />
    </>
  );
}
