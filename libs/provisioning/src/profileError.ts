/** A profile that cannot be taken as written: \`field\` names the field at fault (\`guard.max_hours\`, \`scale.min\`). */
export class ProfileError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}
