// Assembles src/batch/cpu/log-sum-exp.wat into src/batch/cpu/log-sum-exp-wasm.ts (the modules'
// bytes, base64), so the package ships no binary file and needs no loader. Two modules come from
// the one source: "fused", as written, whose f32x4.relaxed_madd / relaxed_nmadd become fused
// multiply-adds where the CPU has them (relaxed SIMD: on by default from Node 22, behind
// --experimental-wasm-relaxed-simd on Node 20), and "portable", in which each of them is lowered
// to a multiply and an add (plain SIMD, every Node the package supports). Both import a shared
// memory (the arena that every thread of src/batch/cpu/worker-pool.ts works in). The source's
// twin regions (`;; twin`), macros (`;; define` / `;; expand`) and unrolled blocks (`;; unroll N`) are written out
// first (expandTwins, expandMacros, expandUnrolls). Run after editing the .wat: npm run build:wasm.
// test/batch/wasm-kernel.test.ts fails when the file and the source disagree.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import wabtInit from "wabt";

/** The end of the line that `at` is on (the position of its newline, or the end of the source). */
function lineEnd(source, at) {
  const newline = source.indexOf("\n", at);
  return newline === -1 ? source.length : newline;
}

/** The first position at or after `at` that is neither white space nor in a ;; comment. */
function skipBlanks(source, at) {
  for (;;) {
    if (/\s/.test(source[at] ?? "")) at++;
    else if (source.startsWith(";;", at)) at = lineEnd(source, at);
    else return at;
  }
}

/**
 * The end (exclusive) of the balanced s-expression that opens at source[start] === "(" (parentheses in ;; comments do
 * not count).
 */
function expressionEnd(source, start) {
  let depth = 0;
  for (let i = start; i < source.length; i++) {
    if (source.startsWith(";;", i)) i = lineEnd(source, i);
    else if (source[i] === "(") depth++;
    else if (source[i] === ")" && --depth === 0) return i + 1;
  }
  throw new Error(`unbalanced expression at ${start}`);
}

/**
 * Rewrites (f32x4.relaxed_madd a b c) as (f32x4.add (f32x4.mul a b) c) and (f32x4.relaxed_nmadd
 * a b c) as (f32x4.sub c (f32x4.mul a b)), and the same for f64x2: what relaxed SIMD computes without a fused
 * multiply-add. The last occurrence is rewritten first, so the operands of the one being
 * rewritten hold none (they follow its name). Operands are parenthesised expressions.
 */
export function lowerRelaxed(source) {
  const pattern = /\((f32x4|f64x2)\.relaxed_(n?madd)\s/g;
  const starts = [...source.matchAll(pattern)].map((m) => [m.index, m[1], m[2]]);
  for (const [start, shape, kind] of starts.reverse()) {
    const operands = [];
    let at = start + 1 + `${shape}.relaxed_${kind}`.length;
    for (let k = 0; k < 3; k++) {
      const open = skipBlanks(source, at);
      if (source[open] !== "(")
        throw new Error(`${shape}.relaxed_${kind} at ${start}: operand ${k + 1} is not a parenthesised expression`);
      at = expressionEnd(source, open);
      operands.push(source.slice(open, at));
    }
    const end = expressionEnd(source, start);
    if (skipBlanks(source, at) !== end - 1)
      throw new Error(`${shape}.relaxed_${kind} at ${start}: more than three operands`);
    const [a, b, c] = operands;
    const lowered =
      kind === "madd" ? `(${shape}.add (${shape}.mul ${a} ${b}) ${c})` : `(${shape}.sub ${c} (${shape}.mul ${a} ${b}))`;
    source = source.slice(0, start) + lowered + source.slice(end);
  }
  return source;
}

/**
 * Writes out the source's macros: the lines between `;; define NAME %a %b …` and `;; end define`
 * are removed and written in place of each line `;; expand NAME x y …`, with `%a` replaced by x,
 * `%b` by y and so on: how the kernel's loops share one spelling of exp. Runs before
 * {@link expandUnrolls}, so arguments may hold `#`.
 */
export function expandMacros(source) {
  const macros = new Map();
  const defined = source.replace(
    /^[ \t]*;; define (\w+)((?: %\w+)*)\n([\s\S]*?)^[ \t]*;; end define\n/gm,
    (_, name, params, body) => {
      macros.set(name, { params: params.trim().split(/\s+/).filter(Boolean), body });
      return "";
    },
  );
  return defined.replace(/^[ \t]*;; expand (\w+)((?: \S+)*)\n/gm, (_, name, args) => {
    const macro = macros.get(name);
    if (macro === undefined) throw new Error(`;; expand ${name}: no ;; define ${name}`);
    const values = args.trim().split(/\s+/).filter(Boolean);
    if (values.length !== macro.params.length)
      throw new Error(`;; expand ${name}: ${values.length} arguments for ${macro.params.length} parameters`);
    return macro.body.replace(/%\w+/g, (param) => {
      const index = macro.params.indexOf(param);
      if (index === -1) throw new Error(`;; define ${name}: ${param} is not one of its parameters`);
      return values[index];
    });
  });
}

/**
 * Writes out each region between `;; twin SUFFIX` and `;; end twin` twice: as written, where the lines that begin
 * `;;m ` are comments, and then a twin in which those lines are code (the prefix removed) and every function the region
 * defines, `(func $name` or `(func (export "name")`, is renamed with SUFFIX appended, its calls within the region too:
 * how the statistics pass and its variant that also sums the moments are one source, the plain one unchanged by them.
 * Runs first, so a twin's lines may hold macros and unrolled blocks.
 */
export function expandTwins(source) {
  return source.replace(/^[ \t]*;; twin (\w+)\n([\s\S]*?)^[ \t]*;; end twin\n/gm, (_, suffix, body) => {
    if (/;; twin /.test(body)) throw new Error("nested ;; twin regions are not supported");
    const names = [...body.matchAll(/\(func \$(\w+)/g)].map((m) => m[1]);
    let twin = body.replace(/^([ \t]*);;m /gm, "$1");
    for (const name of names) twin = twin.replace(new RegExp(`\\$${name}\\b`, "g"), `$${name}${suffix}`);
    twin = twin.replace(/\(func \(export "(\w+)"\)/g, `(func (export "$1${suffix}")`);
    return body + twin;
  });
}

/**
 * Expands each block of lines between `;; unroll N` and `;; end unroll` into N copies of it, in
 * which `#` stands for the copy's index (0 .. N − 1) and `@` for 16 times it (the byte offset of
 * the copy's vector): how the kernel's loops take several vectors per step without writing each out.
 */
export function expandUnrolls(source) {
  return source.replace(/^[ \t]*;; unroll (\d+)\n([\s\S]*?)^[ \t]*;; end unroll\n/gm, (_, count, body) => {
    if (/;; unroll/.test(body)) throw new Error("nested ;; unroll blocks are not supported");
    return Array.from({ length: Number(count) }, (_, i) =>
      body.replaceAll("#", String(i)).replaceAll("@", String(16 * i)),
    ).join("");
  });
}

/** The kernel's bytes, base64: `fused` keeps relaxed SIMD, `shared` imports a shared memory. */
export async function assembleKernel({ fused, shared }) {
  const path = fileURLToPath(new URL("../src/batch/cpu/log-sum-exp.wat", import.meta.url));
  const wabt = await wabtInit();
  // wabt's errors print its whole bundled source first: keep the message only
  let module;
  try {
    let source = expandUnrolls(expandMacros(expandTwins(readFileSync(path, "utf8"))));
    if (!fused) source = lowerRelaxed(source);
    if (shared) source = source.replace("(memory 1 65536))", "(memory 1 65536 shared))");
    module = wabt.parseWat("log-sum-exp.wat", source, {
      simd: true,
      relaxed_simd: fused,
      bulk_memory: true,
      threads: true,
    });
  } catch (error) {
    throw new Error(String(error.message));
  }
  const { buffer } = module.toBinary({});
  module.destroy();
  if (!fused) new WebAssembly.Module(buffer); // validates, with the features Node 20 supports
  return Buffer.from(buffer).toString("base64");
}

export async function kernelSource() {
  const constant = (base64) =>
    base64
      .match(/.{1,100}/g)
      .map((line) => `  "${line}"`)
      .join(" +\n");
  return (
    "// Generated by scripts/build-wasm.mjs from log-sum-exp.wat: do not edit.\n\n" +
    `/** The row log-sum-exp kernel with plain SIMD (each multiply-add a multiply and an add), importing a shared memory, base64. @internal */\nexport const logSumExpWasm =\n${constant(await assembleKernel({ fused: false, shared: true }))};\n\n` +
    `/** The same kernel with relaxed SIMD's multiply-adds (fused where the CPU has FMA), importing a shared memory, base64. @internal */\nexport const logSumExpFusedWasm =\n${constant(await assembleKernel({ fused: true, shared: true }))};\n`
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = fileURLToPath(new URL("../src/batch/cpu/log-sum-exp-wasm.ts", import.meta.url));
  writeFileSync(out, await kernelSource());
  console.log(`wrote ${out}`);
}
