import { crashDrill } from "./support/crash-drill.js";

crashDrill("blue-green", "blue-green");
