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

/**
 * onnxruntime-node, imported on first use. Its absence is a LuceError naming the argument that
 * asked for it and the package to install.
 * @internal
 */
export async function onnxRuntime(fn: string, argument: string): Promise<OrtModule> {
  ort ??= import("onnxruntime-node").then((m) => ((m as { default?: OrtModule }).default ?? m) as unknown as OrtModule);
  try {
    return await ort;
  } catch (error) {
    ort = null;
    throw new LuceError(
      fn,
      argument,
      `needs the optional peer dependency onnxruntime-node (npm install onnxruntime-node): ${(error as Error).message}`,
    );
  }
}

/** Execution providers luce runs graphs on. */
export type ExecutionProvider = "cpu" | "webgpu";

const sessions = new Map<string, Promise<OrtSession>>();

/**
 * A session for one of luce's own graphs on `provider`, created once per process and kept (the
 * graphs have free dimensions, so one session serves every shape).
 * @internal
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
      runtime.InferenceSession.create(model(), { executionProviders: [provider], graphOptimizationLevel: "all" }),
    );
    session.catch(() => sessions.delete(id));
    sessions.set(id, session);
  }
  return session;
}
