/** The database was written by a newer release: this one does not know its schema and must not touch it. */
export class NewerSchemaError extends Error {
  constructor(applied: number, known: number) {
    super(
      `the database is at schema version ${applied}, newer than this server knows (${known}): it was written by a newer release; use that release or a copy of the database`,
    );
  }
}
