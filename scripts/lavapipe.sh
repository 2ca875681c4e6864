#!/bin/bash
# A copy of the workplace's gpu/lavapipe.sh (CI has it beside the clone; a user's clone does not).
# Fetches Mesa 25's lavapipe (a Vulkan driver that runs on the CPU) from Debian's bookworm-backports
# suite into DIR, without touching the system, and prints the environment that points Vulkan at it.
# Debian 12's own Mesa 22 lavapipe lacks features Dawn requires. Needs apt-get (not root); where the
# system has no Vulkan loader (libvulkan.so.1), Debian's libvulkan1 is fetched into DIR as well.
# Usage: eval "$(lavapipe.sh DIR)"; then a WebGPU adapter named llvmpipe appears.
set -euo pipefail
dir=$(mkdir -p "$1" && cd "$1" && pwd)
if [[ ! -f $dir/icd.json ]]; then
  apt=$dir/apt; mkdir -p "$apt/lists/partial" "$apt/debs"
  # the mirror this machine already uses, with the backports suite
  uri=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
  [[ -n $uri ]] || uri=$(sed -n 's/^deb \([^ ]*\) bookworm .*/\1/p' /etc/apt/sources.list 2>/dev/null | head -1)
  [[ -n $uri ]] || { echo "lavapipe.sh: no Debian mirror found in the apt sources" >&2; exit 1; }
  printf 'deb %s bookworm main\ndeb %s bookworm-backports main\n' "$uri" "$uri" > "$apt/sources.list"
  debs=(mesa-vulkan-drivers/bookworm-backports libdrm2/bookworm-backports libdrm-amdgpu1/bookworm-backports)
  ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1 ' || debs+=(libvulkan1/bookworm)
  o=(-o Dir::Etc::SourceList="$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache" -o Debug::NoLocking=1)
  apt-get "${o[@]}" update -qq >&2
  (cd "$apt/debs" && apt-get "${o[@]}" -o APT::Sandbox::User=root download -qq "${debs[@]}" >&2)
  for f in "$apt"/debs/*.deb; do dpkg -x "$f" "$dir/root"; done
  lib=$dir/root/usr/lib/x86_64-linux-gnu
  sed "s#\"library_path\": *\"[^\"]*\"#\"library_path\": \"$lib/libvulkan_lvp.so\"#" "$dir"/root/usr/share/vulkan/icd.d/lvp_icd*.json > "$dir/icd.json"
  rm -rf "$apt"
fi
echo "export VK_ICD_FILENAMES=$dir/icd.json VK_DRIVER_FILES=$dir/icd.json LD_LIBRARY_PATH=$dir/root/usr/lib/x86_64-linux-gnu\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
