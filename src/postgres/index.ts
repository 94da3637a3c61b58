// Filled in by the postgres work (issue). index.ts files only re-export.
export {};
