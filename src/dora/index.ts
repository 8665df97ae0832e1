export { computeDora } from "./compute.js";
export { DoraEventSchema } from "./events-file.js";
export { renderCsv, renderTable } from "./render.js";
export type * from "./types.js";
