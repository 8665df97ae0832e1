import { parentPort } from "node:worker_threads";
import { isShipgateError } from "../errors.js";
import { type AuditInput, type AuditSettings, auditFiles } from "./engine.js";
import type { WorkerAnswer } from "./parallel.js";

/** A worker of the parallel audit: runs the per-file phase over the files it is sent. */
parentPort?.on(
  "message",
  (message: { id: number; files: AuditInput[]; callees: AuditInput[]; settings: AuditSettings }) => {
    let answer: WorkerAnswer;
    try {
      const { findings, failures } = auditFiles({
        files: message.files,
        callees: message.callees,
        settings: message.settings,
      });
      answer = { id: message.id, findings, failures };
    } catch (error) {
      // A refused input (over a limit) is bad input, exit 2: a thrown error would reach the
      // main thread as a bare Error, an internal error.
      if (!isShipgateError(error)) throw error;
      answer = { id: message.id, refused: error.diagnostics };
    }
    parentPort!.postMessage(answer);
  },
);
