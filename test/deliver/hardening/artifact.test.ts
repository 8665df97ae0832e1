import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { create } from "tar";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { unpackArtifact } from "../../../src/deliver/artifact.js";
import { gitText } from "../../../src/deliver/git.js";
import type { ArtifactRecord } from "../../../src/ledger/types.js";
import { runCli } from "../../helpers/cli.js";
import { tempDir } from "../../helpers/tmp.js";
import { ENV, type SampleProject, sampleProject } from "../support/project.js";

const GIT = ["-c", "user.name=t", "-c", "user.email=t@t.invalid"];

async function commitAll(dir: string, message: string) {
  await gitText(["add", "-A"], { cwd: dir });
  await gitText([...GIT, "commit", "-q", "-m", message], { cwd: dir });
}

describe("what an artifact may hold, from build to release", () => {
  let project: SampleProject;
  beforeAll(async () => {
    project = await sampleProject({ strategy: "rolling", timeoutSeconds: 5 });
  }, 60_000);
  afterAll(() => project?.cleanup(), 30_000);

  test("a committed link out of the repository is refused at build, naming it", async () => {
    await project.release({ version: "1.0.0" });
    await symlink("/etc/hostname", join(project.dir, "host-name"));
    await commitAll(project.dir, "absolute link");
    const build = await runCli(["build"], { cwd: project.dir });
    expect(build.code).toBe(2);
    expect(build.stderr).toMatch(/host-name -> \/etc\/hostname/);
    expect(build.stderr).toMatch(/relative link inside the repository/);
    await gitText([...GIT, "rm", "-q", "host-name"], { cwd: project.dir });
    await gitText([...GIT, "commit", "-q", "-m", "no link"], { cwd: project.dir });
  });

  test("app.path outside the repository is refused: nothing from outside the artifact runs", async () => {
    const config = join(project.dir, "shipgate.yml");
    const original = await readFile(config, "utf8");
    await writeFile(
      config,
      original.replace("  start: node server.js", "  start: node server.js\n  path: ../../.."),
    );
    await commitAll(project.dir, "app path outside");
    const build = await runCli(["build"], { cwd: project.dir });
    expect(build.code).toBe(2);
    expect(build.stderr).toMatch(/app\.path "\.\.\/\.\.\/\.\." is outside the repository/);
    await writeFile(config, original);
    await commitAll(project.dir, "app path back");
  });

  test("a tarball changed after the build fails the deploy, and `build` restores it from its commit", async () => {
    const built = JSON.parse((await runCli(["build", "--json"], { cwd: project.dir })).stdout);
    const good = await readFile(built.location);
    await writeFile(built.location, Buffer.concat([good, Buffer.from("tampered")]));
    const deploy = await runCli(["deploy", ENV, "--artifact", built.artifact], { cwd: project.dir });
    expect(deploy.code).toBe(1);
    expect(deploy.stderr).toMatch(/does not match its digest/);
    expect(deploy.stderr).toMatch(/shipgate build" on commit/);
    const again = await runCli(["build"], { cwd: project.dir });
    expect(again.code, again.stderr).toBe(0);
    expect(await readFile(built.location)).toEqual(good);
    expect((await runCli(["deploy", ENV, "--artifact", built.artifact], { cwd: project.dir })).code).toBe(0);
  }, 60_000);

  test("a release directory changed after it was unpacked is not reused: a clean copy serves", async () => {
    const built = JSON.parse((await runCli(["build", "--json"], { cwd: project.dir })).stdout);
    const releases = join(project.stateDir, "releases");
    const [dir] = (await readdir(releases)).filter((n) => !n.includes("."));
    const server = join(releases, dir!, "server.js");
    const original = await readFile(server, "utf8");
    await writeFile(server, `${original}\n// changed on the host\n`);
    // Another release of the same artifact (a rollback does the same) starts from the tree again.
    await project.release({ version: "1.1.0" });
    const next = JSON.parse((await runCli(["build", "--json"], { cwd: project.dir })).stdout).artifact;
    expect((await runCli(["deploy", ENV, "--artifact", next], { cwd: project.dir })).code).toBe(0);
    const back = await runCli(["rollback", ENV, "--to", built.artifact], { cwd: project.dir });
    expect(back.code, back.stderr).toBe(0);
    expect(await readFile(server, "utf8")).toBe(original);
    expect((await readdir(releases)).some((n) => n.startsWith(`${dir}.modified-`))).toBe(true);
  }, 60_000);
});

describe("unpacking a crafted tarball whose digest was recorded", () => {
  async function craftedArtifact(
    files: (dir: string) => Promise<void>,
  ): Promise<{ artifact: ArtifactRecord; stateDir: string }> {
    const root = await tempDir();
    const content = join(root, "content");
    await mkdir(content);
    await files(content);
    const location = join(root, "crafted.tar.gz");
    await create({ gzip: true, file: location, cwd: content, portable: true }, await readdir(content));
    const digest = `sha256:${createHash("sha256")
      .update(await readFile(location))
      .digest("hex")}`;
    const artifact: ArtifactRecord = {
      id: "app@crafted",
      digest,
      commit: "0".repeat(40),
      location,
      createdAt: new Date().toISOString(),
      manifest: {},
    };
    return { artifact, stateDir: join(root, "state") };
  }

  test("a link out of the release is refused, naming the entry, and leaves no temporary directory", async () => {
    const { artifact, stateDir } = await craftedArtifact(async (dir) => {
      await writeFile(join(dir, "a.txt"), "a");
      await symlink("/etc/passwd", join(dir, "passwd"));
    });
    await expect(unpackArtifact({ artifact, stateDir })).rejects.toMatchObject({
      code: "artifact/unsafe",
      message: expect.stringMatching(/passwd is a link to \/etc\/passwd, outside the release/),
    });
    expect(existsSync(join(stateDir, "releases")) ? await readdir(join(stateDir, "releases")) : []).toEqual(
      [],
    );
  });

  test("more than the size cap is refused before it fills the disk", async () => {
    const { artifact, stateDir } = await craftedArtifact(async (dir) => {
      await writeFile(join(dir, "big.bin"), Buffer.alloc(64 * 1024));
    });
    await expect(unpackArtifact({ artifact, stateDir, maxBytes: 1024 })).rejects.toMatchObject({
      code: "artifact/unsafe",
      message: expect.stringMatching(/more than 1024 bytes \(at big\.bin\)/),
    });
  });
});
