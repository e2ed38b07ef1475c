import type { Metadata } from "next";
import DataBrowser from "../../components/DataBrowser";

export const metadata: Metadata = { title: "Data" };

export default function DataPage() {
  return <DataBrowser />;
}
