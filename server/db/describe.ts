// How a PostgreSQL URL is shown in logs: host, port, database, schema; never the user, password or other parameters.
// Its own module so the supervisor can print it without loading a database driver.
export function describePostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    const db = decodeURIComponent(u.pathname.replace(/^\//, '')) || '(default database)';
    const schema = u.searchParams.get('schema');
    return `PostgreSQL ${u.hostname || 'localhost'}:${u.port || '5432'}/${db}${schema ? ` (schema ${schema})` : ''}`;
  } catch {
    return 'PostgreSQL (unparsable URL)';
  }
}
