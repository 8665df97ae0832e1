import { describe, expect, test } from "vitest";
import { detectFiles, json } from "./repo.js";

const pyApi = {
  "api/pyproject.toml": '[project]\nname = "orders-api"\ndependencies = ["fastapi", "uvicorn", "asyncpg"]\n',
  "api/uv.lock": "",
  "api/Dockerfile": 'FROM python:3.12\nCMD ["uvicorn", "app.main:app", "--port", "8000"]\n',
};
const webFront = {
  "web/package.json": json({
    name: "orders-web",
    scripts: { dev: "vite", build: "vite build", start: "vite preview" },
    dependencies: { react: "18" },
    devDependencies: { vite: "5" },
  }),
  "web/package-lock.json": "{}",
  "web/Dockerfile": "FROM node:20\n",
};
const goWorker = {
  "worker/go.mod": "module example.com/worker\n\ngo 1.22\n",
  "worker/Dockerfile": 'FROM golang:1.22\nENTRYPOINT ["/worker"]\n',
};

describe("which app: deployables in subfolders", () => {
  test("a Node workspace root that serves with its own image is the app, its UI member is not", async () => {
    const d = await detectFiles({
      "package.json": json({
        name: "flags-server",
        scripts: { build: "tsc", start: "node ./dist/server.js" },
        dependencies: { express: "4" },
      }),
      "pnpm-lock.yaml": "",
      "pnpm-workspace.yaml": "packages:\n  - frontend\n",
      Dockerfile: 'FROM node:22\nEXPOSE 4242\nCMD ["node", "dist/server.js"]\n',
      "frontend/package.json": json({
        name: "flags-frontend",
        scripts: { build: "vite build", start: "vite" },
        dependencies: { react: "19" },
      }),
    });
    expect(d).toMatchObject({ appPath: ".", name: "flags-server", port: 4242 });
  });

  test("three services in subfolders: all found, a backend chosen with its reasons", async () => {
    const d = await detectFiles({ ...pyApi, ...webFront, ...goWorker });
    expect(d.apps.map((a) => a.path).sort()).toEqual(["api", "web", "worker"]);
    expect(d.appPath).toBe("api");
    expect(d.language).toBe("python");
    expect(d.dockerfile).toBe("api/Dockerfile");
    expect(d.dockerContext).toBe("api");
    expect(d.sources.app).toMatch(/^chosen among 3 deployables: /);
    const web = d.apps.find((a) => a.path === "web")!;
    expect(web.reasons).toContain("it looks like a front end");
  });

  test("a front end is not taken over the Python API beside it", async () => {
    const d = await detectFiles({ ...pyApi, ...webFront });
    expect(d.appPath).toBe("api");
    expect(d.commands.install).toBe("uv sync --frozen");
  });

  test("app picks another of them; its commands run in its folder", async () => {
    const d = await detectFiles({ ...pyApi, ...webFront, ...goWorker }, { app: "worker/" });
    expect(d).toMatchObject({ appPath: "worker", language: "go", dockerfile: "worker/Dockerfile" });
    expect(d.sources.app).toBeUndefined();
  });

  test("a folder that is not among them is read as it is, with a note", async () => {
    const d = await detectFiles({ ...pyApi, "scripts/run.sh": "" }, { app: "scripts" });
    expect(d.appPath).toBe("scripts");
    expect(d.language).toBeNull();
    expect(d.notes).toContain("scripts is not among the deployables found; it was read as it is.");
  });

  test("a workspace member with an image is the app; the workspace root only orchestrates", async () => {
    const d = await detectFiles({
      "package.json": json({ name: "acme", private: true, workspaces: ["apps/*", "packages/*"] }),
      "package-lock.json": "{}",
      "apps/server/package.json": json({
        name: "@acme/server",
        scripts: { start: "node dist/main.js", build: "tsc" },
        dependencies: { express: "4" },
      }),
      "apps/server/Dockerfile": "FROM node:20\n",
      "packages/ui/package.json": json({ name: "@acme/ui" }),
    });
    expect(d.appPath).toBe("apps/server");
    expect(d.apps.map((a) => a.path)).toEqual(["apps/server"]);
    expect(d.name).toBe("acme-server");
  });

  test("modules of one Maven build run from the root; each is chosen by its own folder", async () => {
    const module = (name: string) => ({
      [`${name}/pom.xml`]: `<project><artifactId>${name}</artifactId></project>`,
      [`${name}/src/main/docker/Dockerfile`]: "FROM eclipse-temurin:17\n",
    });
    const files = {
      "pom.xml":
        "<project><artifactId>shop</artifactId><modules><module>orders-service</module><module>billing-service</module></modules></project>",
      ...module("orders-service"),
      ...module("billing-service"),
    };
    const d = await detectFiles(files);
    expect(d.apps.map((a) => [a.path, a.select]).sort()).toEqual([
      [".", "billing-service"],
      [".", "orders-service"],
    ]);
    const other = d.apps.find((a) => a.name !== d.name)!;
    const chosen = await detectFiles(files, { app: other.select });
    expect(chosen).toMatchObject({ appPath: ".", name: other.name, dockerfile: other.dockerfile });
    // shipgate.yml names the module as app.path and runs its commands at the root.
    expect(chosen.buildModule).toBe(other.select);
  });

  test("Spring Boot modules of a reactor sharing one Dockerfile chosen by a build argument", async () => {
    const boot = (name: string) => ({
      [`${name}/pom.xml`]: `<project><artifactId>${name.split("/").pop()}</artifactId><build><plugins><plugin><artifactId>spring-boot-maven-plugin</artifactId></plugin></plugins></build></project>`,
    });
    const d = await detectFiles({
      "pom.xml":
        "<project><artifactId>fleet</artifactId><modules><module>fleet-core</module><module>fleet-monolith</module><module>fleet-ui</module><module>fleet-sdk</module></modules></project>",
      "fleet-core/pom.xml": "<project><artifactId>fleet-core</artifactId></project>",
      "fleet-monolith/pom.xml":
        "<project><artifactId>fleet-monolith</artifactId><modules><module>fleet-server</module></modules></project>",
      ...boot("fleet-monolith/fleet-server"),
      ...boot("fleet-ui"),
      "fleet-sdk/pom.xml": "<project><modules><module>fleet-sdk-demo</module></modules></project>",
      ...boot("fleet-sdk/fleet-sdk-demo"),
      "docker/build/Dockerfile":
        "FROM eclipse-temurin:21\nARG FLEET_APP=fleet-server\nCOPY ${FLEET_APP}.jar /app.jar\n",
    });
    // The Dockerfile's default names the first; a demo module is no service.
    expect(d.apps.map((a) => a.select)).toEqual(["fleet-monolith/fleet-server", "fleet-ui"]);
    expect(d).toMatchObject({
      buildModule: "fleet-monolith/fleet-server",
      dockerfile: "docker/build/Dockerfile",
    });
  });

  test("a module's own server.port beats the port its Dockerfile exposes by build argument", async () => {
    const files = {
      "pom.xml":
        "<project><artifactId>fleet</artifactId><modules><module>fleet-ui</module></modules></project>",
      "fleet-ui/pom.xml":
        "<project><artifactId>fleet-ui</artifactId><build><plugins><plugin><artifactId>spring-boot-maven-plugin</artifactId></plugin></plugins></build></project>",
      "fleet-ui/src/main/resources/application.properties": "server.port=${PORT:8088}\n",
      "fleet-ui/Dockerfile": "FROM eclipse-temurin:21\nARG CONTAINER_PORT=8080\nEXPOSE ${CONTAINER_PORT}\n",
    };
    expect(await detectFiles(files, { app: "fleet-ui" })).toMatchObject({ port: 8088 });
    // A literal EXPOSE is the image's own word.
    const literal = { ...files, "fleet-ui/Dockerfile": "FROM eclipse-temurin:21\nEXPOSE 9000\n" };
    expect(await detectFiles(literal, { app: "fleet-ui" })).toMatchObject({ port: 9000 });
  });

  test("a root Dockerfile that copies api/ and frontend/ in: both are deployables, the API chosen", async () => {
    const d = await detectFiles({
      Dockerfile: [
        "FROM node:22 AS web",
        "COPY frontend/ /build/",
        "RUN npm ci && npm run build",
        "FROM python:3.13 AS api",
        "COPY api/ /app/",
        "COPY --from=web /build/dist /app/static",
        'CMD ["gunicorn", "app.wsgi"]',
      ].join("\n"),
      "api/pyproject.toml": '[project]\nname = "flags-api"\ndependencies = ["django", "gunicorn"]\n',
      "api/uv.lock": "",
      "frontend/package.json": json({ name: "flags-frontend", scripts: { build: "webpack" } }),
      "frontend/package-lock.json": "{}",
    });
    expect(d.apps.map((a) => a.path).sort()).toEqual(["api", "frontend"]);
    expect(d).toMatchObject({ appPath: "api", dockerfile: "Dockerfile", dockerContext: "." });
  });

  test("docker/Dockerfile copies the repository and builds in packages/backend: that folder is the app", async () => {
    const d = await detectFiles({
      "docker/Dockerfile": [
        "FROM node:22.15.0-alpine",
        "WORKDIR /app",
        "COPY . /app",
        "RUN cd packages/web && yarn && yarn build",
        "RUN cd packages/backend && yarn --production",
        "EXPOSE 3000",
        'ENTRYPOINT ["sh", "/entrypoint.sh"]',
      ].join("\n"),
      "packages/backend/package.json": json({
        name: "@acme/backend",
        scripts: { start: "node src/server.js", test: "vitest run" },
        dependencies: { express: "4" },
      }),
      "packages/backend/yarn.lock": "",
      "packages/web/package.json": json({ name: "@acme/web", dependencies: { react: "18" } }),
      "packages/web/yarn.lock": "",
    });
    expect(d).toMatchObject({ appPath: "packages/backend", dockerfile: "docker/Dockerfile", port: 3000 });
  });

  test("a root package whose prod script the root image runs is the app, not the member it filters to", async () => {
    const d = await detectFiles({
      "package.json": json({
        name: "pad",
        scripts: {
          prod: "pnpm --filter pad-server run prod",
          "build:pad": "pnpm --filter ui run build",
          "ts-check": "pnpm --filter pad-server run ts-check",
        },
      }),
      "pnpm-workspace.yaml": "packages:\n  - src\n  - ui\n",
      "pnpm-lock.yaml": "",
      Dockerfile: 'FROM node:22\nCOPY . .\nEXPOSE 9001\nCMD ["pnpm", "run", "prod"]\n',
      "src/package.json": json({
        name: "pad-server",
        scripts: { prod: "node server.js" },
        dependencies: { express: "4" },
      }),
      // A harness CI builds for one test, and the proxy in front of it: neither is the app's image.
      "src/tests/ratelimit/Dockerfile.nginx": "FROM nginx\n",
      ".github/workflows/rate-limit.yml": [
        "on: push",
        "jobs:",
        "  ratelimit:",
        "    runs-on: ubuntu-latest",
        "    steps:",
        "      - run: docker build -f src/tests/ratelimit/Dockerfile.nginx -t nginx-latest .",
      ].join("\n"),
      "ui/package.json": json({
        name: "ui",
        scripts: { build: "vite build" },
        dependencies: { react: "18" },
      }),
    });
    expect(d).toMatchObject({ appPath: ".", dockerfile: "Dockerfile", port: 9001 });
    expect(d.commands).toMatchObject({ build: "pnpm run build:pad", typecheck: "pnpm run ts-check" });
    expect(d.start).toBe("pnpm run prod");
  });

  test("an entry script that execs the program with the CMD's arguments: the start is the program", async () => {
    const d = await detectFiles({
      "Cargo.toml": '[package]\nname = "ldap"\nversion = "0.1.0"\n\n[dependencies]\nactix-web = "4"\n',
      "Cargo.lock": "",
      Dockerfile: [
        "FROM rust:1.91 AS build",
        "FROM alpine:3",
        "WORKDIR /app",
        "COPY docker-entrypoint.sh ./",
        "EXPOSE 17170",
        'ENTRYPOINT ["/app/docker-entrypoint.sh"]',
        'CMD ["run", "--config-file", "/data/config.toml"]',
      ].join("\n"),
      "docker-entrypoint.sh":
        '#!/bin/sh\nset -e\ncp -n /app/template.toml /data/config.toml\nexec gosu "$UID:$GID" /app/ldap "$@"\n',
    });
    expect(d.start).toBe("/app/ldap run --config-file /data/config.toml");
  });

  test("a Go module whose commands each have an image: one app per service, the server first, the CLI not one", async () => {
    const files = {
      "go.mod": "module go.example.org/pipeline/v3\n\ngo 1.26.0\n",
      "cmd/server/main.go": "package main\n",
      "cmd/agent/main.go": "package main\n",
      "cmd/cli/main.go": "package main\n",
      "docker/Dockerfile.server.multiarch.rootless":
        'FROM scratch\nEXPOSE 8000\nENTRYPOINT ["/bin/pipeline-server"]\n',
      "docker/Dockerfile.server.alpine.multiarch.rootless":
        'FROM alpine\nEXPOSE 8000\nENTRYPOINT ["/bin/pipeline-server"]\n',
      "docker/Dockerfile.agent.multiarch": 'FROM scratch\nEXPOSE 3000\nENTRYPOINT ["/bin/pipeline-agent"]\n',
      "docker/Dockerfile.cli.multiarch.rootless": 'FROM scratch\nENTRYPOINT ["/bin/pipeline-cli"]\n',
      Makefile:
        "test:\n\tgo test ./...\ntest-agent:\n\tgo test ./agent/...\nbuild-server:\n\tgo build -o dist/pipeline-server ./cmd/server\nbuild-agent:\n\tgo build -o dist/pipeline-agent ./cmd/agent\n",
    };
    const d = await detectFiles(files);
    expect(d.apps.map((a) => [a.select, a.name, a.dockerfile])).toEqual([
      ["cmd/server", "pipeline-server", "docker/Dockerfile.server.multiarch.rootless"],
      ["cmd/agent", "pipeline-agent", "docker/Dockerfile.agent.multiarch"],
    ]);
    expect(d).toMatchObject({ appPath: ".", name: "pipeline-server", port: 8000 });
    expect(d.commands.build).toBe("make build-server");
    const agent = await detectFiles(files, { app: "cmd/agent" });
    expect(agent).toMatchObject({ name: "pipeline-agent", port: 3000 });
    expect(agent.commands).toMatchObject({ build: "make build-agent", test: "make test-agent" });
  });

  test("the name is the image CI tags, unless CI only builds it to test it", async () => {
    const workflow = (tags: string) =>
      [
        "on: pull_request",
        "jobs:",
        "  image:",
        "    runs-on: ubuntu-latest",
        "    steps:",
        "      - uses: docker/build-push-action@v6",
        "        with:",
        "          context: .",
        "          file: apps/api/Dockerfile",
        `          tags: ${tags}`,
      ].join("\n");
    const files = {
      "package.json": json({ name: "acme", private: true, workspaces: ["apps/*"] }),
      "package-lock.json": "{}",
      "apps/api/package.json": json({ name: "@acme/api", scripts: { start: "node main.js" } }),
      "apps/api/Dockerfile": "FROM node:20\n",
    };
    const released = await detectFiles({
      ...files,
      ".github/workflows/image.yml": workflow("ghcr.io/acme/ledger:latest"),
    });
    expect(released.name).toBe("ledger");
    const checked = await detectFiles({
      ...files,
      ".github/workflows/image.yml": workflow("ledger-test:ci"),
    });
    expect(checked.name).toBe("acme-api");
  });
});

describe("which app: a backend and its front end in one folder, front ends in their own workspace", () => {
  // A Go service at the root whose React front end shares the folder, built by compose's override.
  const goAndFrontEnd = {
    "go.mod": "module example.com/orders\n\ngo 1.22\n",
    "cmd/orders/main.go":
      'package main\n\nfunc main() {\n\tmux.HandleFunc("/api/v1/healthcheck", health)\n}\n',
    Dockerfile: 'FROM golang:1.22\nCMD ["/orders", "serve"]\n',
    "Dockerfile.client": "FROM node:20\n",
    "package.json": json({
      name: "orders-ui",
      scripts: { start: "vite", build: "vite build", lint: "eslint src" },
      dependencies: { react: "18" },
      devDependencies: { vite: "5" },
    }),
    "yarn.lock": "",
    "src/auth.ts": 'export const status = () => api.GET("/v1/auth/status");\n',
    "docker-compose.yml": "services:\n  orders:\n    build: .\n",
    "docker-compose.override.yml":
      "services:\n  orders_client:\n    build:\n      context: .\n      dockerfile: Dockerfile.client\n",
    "deploy/orders.yaml": [
      "spec:",
      "  template:",
      "    spec:",
      "      containers:",
      "        - name: orders-client",
      "          image: orders-client:latest",
      "          ports:",
      "            - containerPort: 3000",
    ].join("\n"),
  };

  test("the service is chosen; the front end is listed with its own image and name", async () => {
    const d = await detectFiles(goAndFrontEnd);
    expect(d).toMatchObject({ appPath: ".", language: "go", healthPath: "/api/v1/healthcheck" });
    const ui = d.apps.find((a) => a.language === "node")!;
    expect(ui).toMatchObject({
      path: ".",
      select: ".",
      name: "orders-client",
      dockerfile: "Dockerfile.client",
    });
  });

  test("--language picks the front end: its routes, not the service's; its dev server is not a start", async () => {
    const d = await detectFiles(goAndFrontEnd, { app: ".", language: "node" });
    expect(d).toMatchObject({ language: "node", name: "orders-client", dockerfile: "Dockerfile.client" });
    // The Go route is the service's, and api.GET("/v1/auth/status") is a request, not a route.
    expect(d.healthPath).toBe("/health");
    expect(d.unsure.healthPath).toMatch(/placeholder/);
    expect(d.start).toBe("yarn start");
    expect(d.unsure.start).toMatch(/development server \(vite\)/);
    // The manifest's container named like the app says where it listens.
    expect(d.port).toBe(3000);
    expect(d.sources.port).toBe("deploy/orders.yaml:8 containerPort");
  });

  test("a language with no deployable found: the most likely one, with a note", async () => {
    const d = await detectFiles(goAndFrontEnd, { language: "rust" });
    expect(d.language).toBe("go");
    expect(d.notes).toContain("No rust deployable was found; the most likely one was taken.");
  });

  test("members of a workspace rooted in a folder are deployables; its examples are not", async () => {
    const d = await detectFiles({
      ...pyApi,
      "clients/package.json": json({ name: "clients", private: true, packageManager: "pnpm@10.2.0" }),
      "clients/pnpm-workspace.yaml": "packages:\n  - apps/*\n  - examples/*\n  - '!apps/legacy'\n",
      "clients/pnpm-lock.yaml": "",
      "clients/apps/web/package.json": json({
        name: "@acme/web",
        scripts: { start: "next start", build: "next build" },
        dependencies: { next: "15" },
      }),
      "clients/examples/demo/package.json": json({ name: "demo", scripts: { start: "node demo.js" } }),
    });
    expect(d.appPath).toBe("api");
    expect(d.apps.map((a) => a.path).sort()).toEqual(["api", "clients/apps/web"]);
    const web = await detectFiles(
      {
        "clients/package.json": json({ name: "clients", private: true, packageManager: "pnpm@10.2.0" }),
        "clients/pnpm-workspace.yaml": "packages:\n  - apps/*\n",
        "clients/pnpm-lock.yaml": "",
        "clients/apps/web/package.json": json({ name: "@acme/web", scripts: { start: "next start" } }),
      },
      { app: "clients/apps/web" },
    );
    expect(web).toMatchObject({ appPath: "clients/apps/web", language: "node", packageManager: "pnpm" });
  });

  test("the member the root's start script runs is the app, even in a folder named core, built by the root image", async () => {
    const d = await detectFiles({
      "package.json": json({
        name: "@acme/root",
        private: true,
        scripts: { start: "cd packages/core && npm start", build: "pnpm -r build" },
      }),
      "pnpm-workspace.yaml": "packages:\n  - packages/*\n",
      "pnpm-lock.yaml": "lockfileVersion: '9.0'\n",
      Dockerfile:
        'FROM node:22\nCOPY . .\nRUN pnpm i && pnpm -r build\nRUN mkdir -p packages/cli/cache\nEXPOSE 3001\nENTRYPOINT ["npm", "run"]\nCMD ["start"]\n',
      "packages/core/package.json": json({
        name: "@acme/core",
        scripts: { start: "NODE_ENV=production node .", build: "tsc" },
        dependencies: { koa: "2" },
      }),
      "packages/cli/package.json": json({
        name: "@acme/cli",
        bin: { acme: "bin/index.js" },
        scripts: { start: "node ." },
        dependencies: { yargs: "17" },
      }),
    });
    expect(d.appPath).toBe("packages/core");
    expect(d.name).toBe("acme");
    expect(d.dockerfile).toBe("Dockerfile");
    expect(d.appReason).toContain(
      'the root\'s start script runs it (package.json "start": cd packages/core && npm start)',
    );
  });

  test("a root build kept in docker/app/ is the app's image, with its health check and start", async () => {
    const d = await detectFiles({
      "settings.gradle":
        "rootProject.name = 'tolls'\ninclude ':server-app'\nproject(':server-app').projectDir = new File('backend/app')\n",
      "build.gradle": "plugins { id 'java' }\n",
      gradlew: "#!/bin/sh\n",
      "backend/app/build.gradle":
        "dependencies { implementation 'org.springframework.boot:spring-boot-starter-web'\n implementation 'org.springframework.boot:spring-boot-starter-actuator' }\n",
      "docker/app/Dockerfile":
        'FROM eclipse-temurin:21\nEXPOSE 8080\nHEALTHCHECK CMD wget -q http://127.0.0.1:8080/actuator/health\nCMD ["/app/cmd.sh"]\n',
    });
    expect(d.workspaces?.members).toEqual(["backend/app"]);
    expect(d.dockerfile).toBe("docker/app/Dockerfile");
    expect(d.sources.dockerfile).toBe("docker/app/Dockerfile, the image of the repository root");
    expect(d).toMatchObject({ healthPath: "/actuator/health", port: 8080, start: "/app/cmd.sh" });
  });
});
