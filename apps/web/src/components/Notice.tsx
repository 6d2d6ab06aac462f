/** A message about something the user did (an import, a failed action), until they close it. */
export function Notice({ text, onClose }: { text: string; onClose: () => void }) {
  return (
    <div className="notice" role="status">
      {text}{' '}
      <button type="button" onClick={onClose}>
        ×
      </button>
    </div>
  );
}
