/** Public surface of the chain domain: block import and fork choice, the chain store, diffs, chain files, tools. */
export * from "./blockPath.ts";
export * from "./blockTest.ts";
export * from "./chain.ts";
export * from "./chainFile.ts";
export * from "./chainGenerator.ts";
export * from "./chainStore.ts";
export * from "./devToken.ts";
export * from "./headerTemplate.ts";
export * from "./stateDiff.ts";
export * from "./validateHeader.ts";
