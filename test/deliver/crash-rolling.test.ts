import { crashDrill } from "./support/crash-drill.js";

crashDrill("rolling", "rolling");
