import type { WorkflowInput } from '@nt/api-contract';
import { isMediaInput, MEDIA_ACCEPT, type InputDraft } from '../run/inputValues.js';

interface Props {
  inputs: readonly WorkflowInput[];
  drafts: Record<string, InputDraft>;
  onChange(name: string, draft: InputDraft): void;
  problems: readonly string[];
  disabled: boolean;
}

/**
 * A workflow's inputs as a form (its input nodes, by name): a field per input of its type, with a file
 * picker (or a URL) for an image, a sound, a video or a document. Run sends them as the run's params.
 */
export function InputsForm({ inputs, drafts, onChange, problems, disabled }: Props) {
  if (inputs.length === 0) return null;
  return (
    <section className="panel inputs-form" data-testid="inputs-form">
      <h2>Inputs</h2>
      {inputs.map((input) => (
        <label key={input.name} className="input-field" data-testid={`input-${input.name}`}>
          <span className="input-name">
            {input.name}
            {input.required ? <span className="required"> (needed)</span> : null}
          </span>
          <Field input={input} draft={drafts[input.name] ?? {}} onChange={(draft) => onChange(input.name, draft)} disabled={disabled} />
          {input.description && <span className="muted input-description">{input.description}</span>}
        </label>
      ))}
      {problems.length > 0 && (
        <ul className="input-problems" data-testid="input-problems">
          {problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Field({ input, draft, onChange, disabled }: { input: WorkflowInput; draft: InputDraft; onChange(draft: InputDraft): void; disabled: boolean }) {
  if (isMediaInput(input)) {
    return (
      <span className="media-field">
        <input
          type="file"
          accept={MEDIA_ACCEPT[input.type] || undefined}
          disabled={disabled}
          aria-label={`${input.name} file`}
          onChange={(event) => onChange({ ...draft, file: event.target.files?.[0] ?? null })}
        />
        <input
          type="url"
          placeholder="or https://… (fetched by the server)"
          value={draft.url ?? ''}
          disabled={disabled || Boolean(draft.file)}
          aria-label={`${input.name} URL`}
          onChange={(event) => onChange({ ...draft, url: event.target.value })}
        />
      </span>
    );
  }
  if (input.type === 'bool') {
    return <input type="checkbox" checked={draft.checked === true} disabled={disabled} onChange={(event) => onChange({ checked: event.target.checked })} />;
  }
  if (input.options) {
    return (
      <select value={draft.text ?? ''} disabled={disabled} onChange={(event) => onChange({ text: event.target.value })}>
        {input.options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    );
  }
  if (input.type === 'int' || input.type === 'float') {
    return (
      <input
        type="number"
        step={input.type === 'int' ? 1 : 'any'}
        min={input.min}
        max={input.max}
        value={draft.text ?? ''}
        disabled={disabled}
        onChange={(event) => onChange({ text: event.target.value })}
      />
    );
  }
  if (input.type === 'str' || input.type === 'hf.model') {
    return <input type="text" value={draft.text ?? ''} disabled={disabled} onChange={(event) => onChange({ text: event.target.value })} />;
  }
  // Lists of text one per line; anything else as JSON.
  return <textarea rows={3} value={draft.text ?? ''} disabled={disabled} onChange={(event) => onChange({ text: event.target.value })} />;
}
