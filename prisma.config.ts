// Prisma CLI configuration (prisma generate / validate / format). DATABASE_URL is optional:
// without it Pulse uses its embedded PGlite database, so nothing here may require it.
import { defineConfig } from 'prisma/config';

const url = process.env.DATABASE_URL;

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  ...(url ? { datasource: { url } } : {}),
});
