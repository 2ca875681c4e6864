/** @type {import("typedoc").TypeDocOptions} */
export default {
  entryPoints: ["src/index.ts"],
  out: "docs/api",
  tsconfig: "tsconfig.build.json",
  excludeInternal: true,
  excludePrivate: true,
  validation: { notExported: true, invalidLink: true, notDocumented: true },
  treatWarningsAsErrors: true,
  readme: "README.md",
};
