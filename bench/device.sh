#!/bin/bash
# Prepares a run of bench/gpu-logprobs.mjs on the GPU machine some sessions are lent (no Node.js,
# no network there): builds dist/, then fills the git-ignored .device/ with Node.js and the Vulkan
# loader (the workplace's gpu/pack-for-device.sh, beside the clone as ../shared) and with
# node_modules.tar.xz: onnxruntime-node, onnxruntime-common and webgpu, linux-x64 binaries only
# (everything that travels must stay under 64 MiB). Then, from the session:
#   run(command: "source .device/on-device.sh; node bench/gpu-logprobs.mjs", carry: [".device", "dist"], timeout_s: 300)
# It prints the adapter (a software one stops it), the accuracy of backend "webgpu", GB/s of
# scoring logits already on the device against the H100's ~3 TB/s, and PyTorch on the same device.
set -euo pipefail
root=$(git rev-parse --show-toplevel); cd "$root"
npm run build >/dev/null
pack=${PACK_FOR_DEVICE:-../shared/gpu/pack-for-device.sh}
[[ -x $pack || -f $pack ]] || { echo "device.sh: $pack not found (the workplace's pack-for-device.sh)" >&2; exit 1; }
bash "$pack"
stage=$(mktemp -d)
mkdir -p "$stage/node_modules"
for p in onnxruntime-node onnxruntime-common webgpu; do cp -r "node_modules/$p" "$stage/node_modules/"; done
# one platform's binaries
find "$stage/node_modules/onnxruntime-node/bin" -mindepth 2 -maxdepth 2 ! -name linux -exec rm -rf {} +
find "$stage/node_modules/onnxruntime-node/bin" -path '*/linux/*' -mindepth 3 -maxdepth 3 ! -name x64 -exec rm -rf {} +
find "$stage/node_modules/webgpu/dist" -mindepth 1 -maxdepth 1 ! -name linux-x64 ! -name '*.js' ! -name '*.ts' -exec rm -rf {} +
tar -C "$stage" -cf - node_modules | xz -T2 -6 > .device/node_modules.tar.xz
rm -rf "$stage"
du -shc .device/* dist | sed 's/^/  /'
