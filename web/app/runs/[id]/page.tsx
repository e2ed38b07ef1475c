import type { Metadata } from "next";
import RunView from "../../../components/RunView";

interface Props {
  params: Promise<{ id: string }>;
}

export const metadata: Metadata = { title: "Run" };

export default async function RunPage({ params }: Props) {
  const { id } = await params;
  // Keyed by id so another run starts from fresh state.
  return <RunView key={id} id={id} />;
}
