/**
 * The runtime entry of `luce/tfjs` for import (package.json points its types at index.ts). The
 * subpath's modules import @tensorflow/tfjs-core statically, and Node resolves a module's whole static import
 * graph before running any of it, so a missing peer could only surface as Node's "Cannot find
 * package". This entry checks for the peer first and then loads index.ts dynamically, re-exporting
 * each of its values by name (a test keeps this list equal to index.ts's exports). Its top-level
 * await makes it unloadable by require(), so package.json points require at index.js itself.
 * @internal
 */
import { requirePeer } from "../peer-dependency.js";

await requirePeer("luce/tfjs", "@tensorflow/tfjs-core");

export const { dpoLossOp, plackettLuceDpoLossOp, sequenceLogProbsOp } = await import("./index.js");
