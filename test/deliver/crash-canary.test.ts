import { crashDrill } from "./support/crash-drill.js";

crashDrill("canary", "{ canary: { steps: [50], stepSeconds: 1, maxStepSeconds: 1 } }");
