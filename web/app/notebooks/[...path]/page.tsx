import type { Metadata } from "next";
import NotebookEditor from "../../../components/NotebookEditor";
import { fileName, notebookPathFromSegments } from "../../../lib/paths";

interface Props {
  params: Promise<{ path: string[] }>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  // Here (unlike in the page) Next 16.4 hands over segments already decoded.
  return { title: fileName((await params).path.join("/")) };
}

export default async function NotebookPage({ params }: Props) {
  const path = notebookPathFromSegments((await params).path);
  // Keyed by path so opening another notebook starts from fresh state.
  return <NotebookEditor key={path} path={path} />;
}
