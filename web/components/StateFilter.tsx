/** A select of states to show, `null` meaning all of them. */
export default function StateFilter<S extends string>({
  label,
  states,
  value,
  onChange,
}: {
  label: string;
  states: readonly S[];
  value: S | null;
  onChange: (state: S | null) => void;
}) {
  return (
    <select aria-label={label} value={value ?? ""} onChange={(e) => onChange(states.find((s) => s === e.target.value) ?? null)}>
      <option value="">all</option>
      {states.map((s) => (
        <option key={s} value={s}>
          {s}
        </option>
      ))}
    </select>
  );
}
