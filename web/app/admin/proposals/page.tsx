import type { Metadata } from "next";
import AdminTabs from "../../../components/AdminTabs";
import AdminProposals from "../../../components/AdminProposals";

export const metadata: Metadata = { title: "Proposals · Admin" };

export default function AdminProposalsPage() {
  return (
    <>
      <AdminTabs current="proposals" />
      <AdminProposals />
    </>
  );
}
