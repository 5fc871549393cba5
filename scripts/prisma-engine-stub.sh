#!/bin/sh
# Stand-in for Prisma's native schema engine, which the Prisma CLI downloads from Prisma's own
# host (unreachable here). `prisma generate` only needs PRISMA_SCHEMA_ENGINE_BINARY to name an
# existing file; migrations go through @prisma/schema-engine-wasm instead (server/db/migrate.ts).
echo "the native Prisma schema engine is not installed: use npm run db:migrate / db:migration" >&2
exit 1
