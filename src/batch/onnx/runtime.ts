import { LuceError } from "../../errors.js";

/** The parts of onnxruntime-node's API luce uses (it is an optional peer: no types are imported). @internal */
export interface OrtTensor {
  readonly data: Float32Array | Float64Array | BigInt64Array | Int32Array | Uint16Array | Uint8Array;
  readonly dims: readonly number[];
  readonly type: string;
}
/** A loaded model. @internal */
export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>, fetches?: readonly string[]): Promise<Record<string, OrtTensor>>;
}
/** onnxruntime-node's module. @internal */
export interface OrtModule {
  readonly InferenceSession: { create(model: Uint8Array | string, options?: object): Promise<OrtSession> };
  readonly Tensor: new (type: string, data: OrtTensor["data"], dims: readonly number[]) => OrtTensor;
}

let ort: Promise<OrtModule> | null = null;

/** onnxruntime-node, imported on first use; its absence is a LuceError naming `argument` and the fix. @internal */
export async function onnxRuntime(fn: string, argument: string): Promise<OrtModule> {
  ort ??= import("onnxruntime-node").then((m) => ((m as { default?: OrtModule }).default ?? m) as unknown as OrtModule);
  try {
    return await ort;
  } catch (error) {
    ort = null;
    throw new LuceError(fn, argument, `${MISSING_RUNTIME} (loading it failed: ${messageOf(error)})`);
  }
}

/** What to do when onnxruntime-node is absent; its install script's CUDA download fails offline and is not needed. */
const MISSING_RUNTIME =
  "needs the optional peer dependency onnxruntime-node: install it with " +
  "`npm install onnxruntime-node --onnxruntime-node-install=skip` (the flag skips its CUDA download, so it installs " +
  'offline; with npm 11, `"allowScripts": { "onnxruntime-node": false }` in package.json does the same)';

/** What to do when ONNX Runtime finds no WebGPU adapter. */
const NO_ADAPTER =
  'is "webgpu", but no WebGPU adapter was found: a GPU with a Vulkan, Metal or D3D12 driver provides one; on a ' +
  "machine without, Mesa's lavapipe runs Vulkan on the CPU (the recipe is \"The GPU\" in luce's docs/batches.md: " +
  'eval "$(scripts/lavapipe.sh .cache/lavapipe)" in a clone of luce); or use backend "cpu"';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * An ONNX Runtime session for `model` on `provider`. A missing WebGPU adapter is a LuceError naming `argument` (the
 * option that asked for WebGPU) that says how to get one; other failures name `other.argument`, with ONNX Runtime's
 * message after `other.problem`.
 * @internal
 */
export async function createSession(
  fn: string,
  runtime: OrtModule,
  model: Uint8Array,
  provider: ExecutionProvider,
  argument: string,
  other: { argument: string; problem: string },
): Promise<OrtSession> {
  try {
    return await runtime.InferenceSession.create(model, {
      executionProviders: [provider],
      graphOptimizationLevel: "all",
    });
  } catch (error) {
    const message = messageOf(error);
    if (provider === "webgpu" && /adapter/i.test(message))
      throw new LuceError(fn, argument, `${NO_ADAPTER} (ONNX Runtime: ${adapterReason(message)})`);
    throw new LuceError(fn, other.argument, `${other.problem}: ${message}`);
  }
}

/** ONNX Runtime's reason without its source path: "Failed to get a WebGPU adapter: …" where it says so. */
function adapterReason(message: string): string {
  const reason = /Failed to get a WebGPU adapter[^\n]*/.exec(message);
  return reason === null ? (message.split("\n")[0] ?? message) : reason[0];
}

/** Execution providers luce runs graphs on. */
export type ExecutionProvider = "cpu" | "webgpu";

const sessions = new Map<string, Promise<OrtSession>>();

/**
 * A session for one of luce's own graphs on `provider`, created once per process and kept (the graphs have free
 * dimensions, so one session serves every shape). @internal
 */
export function graphSession(
  fn: string,
  argument: string,
  key: string,
  model: () => Uint8Array,
  provider: ExecutionProvider,
): Promise<OrtSession> {
  const id = `${key}@${provider}`;
  let session = sessions.get(id);
  if (session === undefined) {
    session = onnxRuntime(fn, argument).then((runtime) =>
      createSession(fn, runtime, model(), provider, argument, {
        argument,
        problem: `asked for ONNX Runtime's ${provider} provider, which could not start`,
      }),
    );
    session.catch(() => sessions.delete(id));
    sessions.set(id, session);
  }
  return session;
}
