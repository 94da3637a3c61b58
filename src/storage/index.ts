// Filled in by the storage work (issue). index.ts files only re-export.
export {};
