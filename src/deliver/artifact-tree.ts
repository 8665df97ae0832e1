import { createHash } from "node:crypto";
import { lstat, readdir, readFile, readlink } from "node:fs/promises";
import { isAbsolute, join, posix, relative, sep } from "node:path";
import { inputError } from "../errors.js";
import { git } from "./git.js";

/**
 * What an artifact may contain, checked where it is made and again where it is unpacked:
 * symbolic links must stay inside it (a release must not read the deploy host's files, and an
 * unpacker must not write through a link), and the unpacked tree must be the one the tarball
 * held when a release starts from it again.
 */

/** A link target that leaves the directory tree the link is in. */
export function escapingLink(path: string, target: string): boolean {
  if (isAbsolute(target) || posix.isAbsolute(target)) return true;
  const resolved = posix.normalize(posix.join(posix.dirname(path), target));
  return resolved === ".." || resolved.startsWith("../");
}

/** The commit's symbolic links that point outside the repository, with their targets. */
export async function escapingLinksAt(options: { cwd: string; commit: string }): Promise<string[]> {
  const listing = (await git(["ls-tree", "-r", "-z", "--full-tree", options.commit], options)).toString(
    "utf8",
  );
  const links = listing
    .split("\0")
    .filter((line) => line.startsWith("120000 "))
    .map((line) => {
      const [meta, path] = [line.slice(0, line.indexOf("\t")), line.slice(line.indexOf("\t") + 1)];
      return { path, blob: meta.split(" ")[2]! };
    });
  const escaping: string[] = [];
  for (const link of links) {
    const target = (await git(["cat-file", "blob", link.blob], options)).toString("utf8");
    if (escapingLink(link.path, target)) escaping.push(`${link.path} -> ${target}`);
  }
  return escaping;
}

export function linksOutsideError(links: string[]) {
  return inputError(
    "build/link-outside",
    `the commit has ${links.length === 1 ? "a symbolic link" : "symbolic links"} pointing outside the repository: ${links.join(", ")}`,
    {
      hint: "a release must not depend on files of the host it runs on: make each a relative link inside the repository, or commit a copy of what it points at",
    },
  );
}

/**
 * A digest of a directory tree: every path, its kind, mode and content (or link target), in
 * a fixed order. Two trees have the same digest exactly when they hold the same files.
 */
export async function treeDigest(root: string, skip: ReadonlySet<string> = new Set()): Promise<string> {
  const hash = createHash("sha256");
  const walk = async (dir: string): Promise<void> => {
    const names = (await readdir(dir)).sort();
    for (const name of names) {
      const path = join(dir, name);
      const rel = relative(root, path).split(sep).join("/");
      if (skip.has(rel)) continue;
      const info = await lstat(path);
      if (info.isSymbolicLink()) hash.update(`l ${rel}\0${await readlink(path)}\0`);
      else if (info.isDirectory()) {
        hash.update(`d ${rel}\0`);
        await walk(path);
      } else if (info.isFile()) {
        const content = createHash("sha256")
          .update(await readFile(path))
          .digest("hex");
        hash.update(`f ${rel}\0${(info.mode & 0o111) !== 0 ? "x" : "-"}${content}\0`);
      } else hash.update(`o ${rel}\0`);
    }
  };
  await walk(root);
  return `sha256:${hash.digest("hex")}`;
}
