// Filled in by the kafka work (issue). index.ts files only re-export.
export {};
