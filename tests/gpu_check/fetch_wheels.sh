#!/usr/bin/env bash
# Download, on a machine with PyPI, the wheels that run_on_cuda.sh installs on the CUDA
# machine (which cannot reach the network): each package of carried_packages.txt at the
# version requirements.lock pins, built for that machine's Python (3.12 by default).
#   tests/gpu_check/fetch_wheels.sh [DEST]      (default DEST: .whl, git-ignored)
set -euo pipefail
cd "$(dirname "$0")/../.."
dest=${1:-.whl}
python_version=${DEVICE_PYTHON_VERSION:-3.12}
specs=()
while read -r name; do
  [[ -z $name || $name == \#* ]] && continue
  # requirements.lock may spell a name with "-" or "_": match either.
  if ! pin=$(grep -i -E "^${name//[-_]/[-_]}==" requirements.lock); then
    echo "fetch_wheels: $name is not pinned in requirements.lock" >&2
    exit 2
  fi
  specs+=("$pin")
done < tests/gpu_check/carried_packages.txt
mkdir -p "$dest"
platforms=()
for tag in manylinux_2_28 manylinux_2_27 manylinux_2_26 manylinux_2_17 manylinux2014 manylinux1; do
  platforms+=(--platform "${tag}_x86_64")
done
python3 -m pip download --quiet --no-deps --only-binary=:all: --implementation cp \
  --python-version "$python_version" "${platforms[@]}" -d "$dest" "${specs[@]}" \
  2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
echo "fetch_wheels: ${#specs[@]} wheels for Python $python_version in $dest ($(du -sh "$dest" | cut -f1))"
