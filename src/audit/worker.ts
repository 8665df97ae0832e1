import { parentPort } from "node:worker_threads";
import { type AuditInput, type AuditSettings, auditFiles } from "./engine.js";

/** A worker of the parallel audit: runs the per-file phase over the files it is sent. */
parentPort?.on("message", (message: { id: number; files: AuditInput[]; settings: AuditSettings }) => {
  const { findings, failures } = auditFiles({ files: message.files, settings: message.settings });
  parentPort!.postMessage({ id: message.id, findings, failures });
});
