import type { Metadata } from "next";
import AgentList from "../../components/AgentList";

export const metadata: Metadata = { title: "Agents" };

export default function AgentsPage() {
  return <AgentList />;
}
