/**
 * Opens the SQLite ledger through openLedger and prints whether the PostgreSQL driver was
 * loaded by then, and whether this probe would notice it once it is.
 * Usage: node --import tsx test/ledger/driver-probe.ts <stateDir>
 */
import { createRequire } from "node:module";
import { openLedger } from "../../src/ledger/index.js";

const [stateDir] = process.argv.slice(2);
if (!stateDir) throw new Error("usage: driver-probe <stateDir>");
const pgLoaded = () =>
  Object.keys(createRequire(import.meta.url).cache).some((path) =>
    /[\\/]node_modules[\\/]pg[\\/]/.test(path),
  );

await (await openLedger({ stateDir, databaseUrl: "" })).close();
const before = pgLoaded();
await import("pg");
process.stdout.write(JSON.stringify({ before, after: pgLoaded() }));
