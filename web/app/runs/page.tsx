import type { Metadata } from "next";
import RunList from "../../components/RunList";

export const metadata: Metadata = { title: "Runs" };

export default function RunsPage() {
  return <RunList />;
}
