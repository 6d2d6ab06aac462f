/** `nodetool db --help`: here, apart from the commands, so the help needs no database driver loaded. */
export const DB_HELP = `Usage: nodetool db migrate | status | copy --from <database> [--to <database>] [--assets-dir <dir>]

The server's database, where the server finds it: Postgres at DATABASE_URL (or DATABASE_URL_FILE),
else the SQLite file at NODETOOL_DB.
  migrate   Bring its schema up to this release (the server does too at start; replicas take a lock, so
            one migrates and the others wait). On SQLite, moving an old release's inline result bytes
            into the asset store waits for the server, which owns the store.
  status    Which database, and its schema version against this release's; changes nothing
  copy      Copy workflows, runs, assets' records, profiles and rented workers into an empty database,
            to move from SQLite to Postgres: --from sqlite:/path/server.db (read from a snapshot, never
            changed), --to postgres://user@host:5432/name (default: DATABASE_URL or DATABASE_URL_FILE).
            No password in the arguments: PGPASSWORD, or the target as DATABASE_URL_FILE. With a bucket
            set (ASSET_BUCKET, S3_*: as the server reads them), the asset files go into it too, from
            --assets-dir (default: the assets folder next to the SQLite file; the source is only read).

Exit codes: 0 done, 1 failed (unreachable, refused, or written by a newer release), 2 bad settings or a copy refused (a target not empty).`;
