/** What a polled view shows before its first answer, or when the last request failed. */
export default function LoadStatus({ loaded, error }: { loaded: boolean; error: string | null }) {
  if (error)
    return (
      <p className="notice" role="alert">
        {error}
      </p>
    );
  return loaded ? null : <p className="page-message">Loading…</p>;
}
