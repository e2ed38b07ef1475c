import type { Metadata } from "next";
import AdminTabs from "../../../components/AdminTabs";
import AdminUsers from "../../../components/AdminUsers";

export const metadata: Metadata = { title: "Users · Admin" };

export default function AdminUsersPage() {
  return (
    <>
      <AdminTabs current="users" />
      <AdminUsers />
    </>
  );
}
