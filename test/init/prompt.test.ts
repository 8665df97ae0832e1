import { Readable } from "node:stream";
import { describe, expect, test } from "vitest";
import { ShipgateError } from "../../src/errors.js";
import { promptAnswers } from "../../src/init/index.js";
import { detection } from "./detections.js";

function session(lines: string[]) {
  let output = "";
  return {
    input: Readable.from(lines.map((l) => `${l}\n`)),
    output: { write: (s: string) => (output += s) },
    text: () => output,
  };
}

describe("promptAnswers", () => {
  test("empty lines keep the detected defaults, which are not returned as answers", async () => {
    const io = session(["", "", "", ""]);
    const result = await promptAnswers({ ...io, detection: detection(), defaultTarget: "ecs" });
    expect(result).toEqual({ target: "ecs", answers: {} });
    expect(io.text()).toContain("Deploy target (ecs, kubernetes, local) [ecs]: ");
    expect(io.text()).toContain("App name [orders-api]: ");
    expect(io.text()).toContain("Staging URL [https://staging.example.com]: ");
  });

  test("typed answers are returned; defaults follow the chosen target", async () => {
    const io = session(["local", "shop", "", "http://shop.internal:8081"]);
    const result = await promptAnswers({ ...io, detection: detection(), defaultTarget: "ecs" });
    expect(result).toEqual({
      target: "local",
      answers: { name: "shop", productionUrl: "http://shop.internal:8081" },
    });
    expect(io.text()).toContain("Staging URL [http://localhost:8080]: ");
  });

  test("a target given as a flag is not asked for", async () => {
    const io = session(["", "", ""]);
    const result = await promptAnswers({
      ...io,
      detection: detection(),
      target: "kubernetes",
      defaultTarget: "ecs",
    });
    expect(result.target).toBe("kubernetes");
    expect(io.text()).not.toContain("Deploy target");
  });

  test("an invalid answer is explained and asked again", async () => {
    const io = session(["ecz", "ecs", "Orders API", "orders", "", ""]);
    const result = await promptAnswers({ ...io, detection: detection(), defaultTarget: "local" });
    expect(result).toEqual({ target: "ecs", answers: { name: "orders" } });
    expect(io.text()).toContain('unknown target "ecz": did you mean "ecs"?');
    expect(io.text()).toContain("use lower-case letters, digits and dashes");
  });

  test("the end of input keeps the defaults", async () => {
    const io = session([]);
    await expect(promptAnswers({ ...io, detection: detection(), defaultTarget: "ecs" })).resolves.toEqual({
      target: "ecs",
      answers: {},
    });
  });

  test("gives up after three invalid answers", async () => {
    const io = session(["x y", "x y", "x y"]);
    await expect(
      promptAnswers({ ...io, detection: detection(), target: "ecs", defaultTarget: "ecs" }),
    ).rejects.toThrow(ShipgateError);
  });
});
