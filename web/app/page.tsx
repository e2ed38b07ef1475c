import { Suspense } from "react";
import NotebookList from "../components/NotebookList";

export default function HomePage() {
  // The list reads its folder from the query string, which is only known in the browser.
  return (
    <Suspense>
      <NotebookList />
    </Suspense>
  );
}
