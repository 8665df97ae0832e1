import { execFile } from "node:child_process";
import { access, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { ShipgateError } from "../errors.js";

/** Makes the package file the workflows install shipgate from; the bytes of an `npm pack`. */
export type PackCli = () => Promise<Uint8Array>;

/**
 * The vendored package a `cli: { tarball }` config names. Generated workflows install shipgate
 * from it, so it must be in the repository before they run: when it is missing it is made from
 * the shipgate that is running; when it is there it is left alone (a person may have put a
 * newer one). `make: false` only reports.
 */
export async function cliPackage(options: {
  root: string;
  path: string;
  make: boolean;
  pack?: PackCli;
}): Promise<{
  file: { path: string; action: "create" | "unchanged" };
  write: { path: string; content: Uint8Array } | null;
}> {
  const absolute = join(options.root, options.path);
  const present = await access(absolute).then(
    () => true,
    () => false,
  );
  if (present) return { file: { path: options.path, action: "unchanged" }, write: null };
  const file = { path: options.path, action: "create" as const };
  if (!options.make) return { file, write: null };
  return { file, write: { path: absolute, content: await (options.pack ?? packRunningShipgate)() } };
}

/**
 * `npm pack` of the installed shipgate package. Scripts are skipped: the package is already
 * built where it runs, and a build would need its development dependencies.
 */
export async function packRunningShipgate(): Promise<Uint8Array> {
  const packageRoot = fileURLToPath(new URL("../..", import.meta.url));
  const built = await access(join(packageRoot, "dist/cli/main.js")).then(
    () => true,
    () => false,
  );
  if (!built) {
    throw new ShipgateError({
      code: "generate/cli-package",
      message: `cannot make the shipgate package the workflows run: ${packageRoot} is not built`,
      hint: "run `npm run build` in that checkout, or set cli.npm in shipgate.yml to a published version",
    });
  }
  const out = await mkdtemp(join(tmpdir(), "shipgate-pack-"));
  try {
    await promisify(execFile)(
      "npm",
      ["pack", "--ignore-scripts", "--silent", "--pack-destination", out, packageRoot],
      { timeout: 120_000 },
    );
    const [file] = (await readdir(out)).filter((f) => f.endsWith(".tgz"));
    if (!file) throw new Error("npm pack wrote no .tgz file");
    return await readFile(join(out, file));
  } catch (error) {
    if (error instanceof ShipgateError) throw error;
    throw new ShipgateError({
      code: "generate/cli-package",
      message: `npm pack of ${packageRoot} failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`,
      hint: "check that npm is on PATH, or set cli.npm in shipgate.yml to a published version",
    });
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}
