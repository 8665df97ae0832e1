import { describe, expect, test } from "vitest";
import { findingsOf } from "../harness.js";

const ID = "docker-build-no-cache";

const run = (command: string) =>
  `on: push\njobs:\n  image:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ${command}\n`;

describe(ID, () => {
  test.each([
    "docker build -t app .",
    "sudo docker build -t app .",
    "docker image build -t app .",
    "docker buildx build --push -t app .",
    'docker build -t "$IMAGE" .',
    "cd api && docker build -t api .",
  ])("reported: %s", (command) => {
    expect(findingsOf(ID, run(command))).toHaveLength(1);
  });

  test.each([
    "docker build --cache-from app:latest -t app .",
    "docker buildx build --cache-from=type=gha -t app .",
    "docker build --no-cache -t app .",
    "docker buildx build $BUILD_ARGS -t app .",
    "docker compose build",
    "docker buildx imagetools create -t app:prod app:sha",
    "podman build -t app .",
  ])("not reported: %s", (command) => {
    expect(findingsOf(ID, run(command))).toEqual([]);
  });
});
