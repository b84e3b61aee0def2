#!/usr/bin/env bash
# npm run setup: install the Node dependencies, check Debian's Jupyter, Chromium and DejaVu fonts (figure export
# and the report render in headless Chromium with that font), register the tslab kernel in the project prefix
# .jupyter/ and report the tfjs backend. Safe to run again: every step overwrites its own result.
#
# The kernel's binary is scripts/tslab-kernel.cjs: tslab with its zeromq sends queued one at a time (a second send
# while one waited killed the kernel mid-cell on a loaded machine; the file says why).
# Why a project prefix: tslab's kernel.json holds the absolute path of this checkout's kernel binary,
# so it cannot be committed or shared between checkouts; .jupyter/ is git-ignored and found via JUPYTER_PATH
# (npm run notebook / notebooks / test / reproduce all set it). Why /usr/bin/python3: `python3` on PATH may be
# a pyenv shim without jupyter, and Debian's jupyter has no `jupyter kernelspec` subcommand, so the kernel is
# checked with jupyter_client directly.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
PY=/usr/bin/python3
APT_PACKAGES=(jupyter-nbconvert python3-nbclient python3-ipykernel jupyter-notebook chromium fonts-dejavu-core)
# The browser itself: /usr/bin/chromium is a wrapper script (src/viz/export.ts drives this binary).
CHROMIUM=/usr/lib/chromium/chromium
DEJAVU=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
export JUPYTER_PATH="$ROOT/.jupyter/share/jupyter"

echo "[setup] 1/4 npm ci"
npm ci --no-audit --no-fund

echo "[setup] 2/4 Debian packages: Jupyter for $PY, Chromium, DejaVu fonts"
has_jupyter() { [ -x "$PY" ] && "$PY" -c 'import jupyter_client, nbconvert, nbclient, ipykernel' 2>/dev/null; }
has_apt_packages() { has_jupyter && [ -x "$CHROMIUM" ] && [ -f "$DEJAVU" ]; }
if ! has_apt_packages; then
  has_jupyter || echo "Jupyter is missing for $PY."
  [ -x "$CHROMIUM" ] || echo "Chromium is missing ($CHROMIUM)."
  [ -f "$DEJAVU" ] || echo "The DejaVu fonts are missing ($DEJAVU)."
  echo "Install them with:"
  echo "sudo apt-get install -y --no-install-recommends ${APT_PACKAGES[*]}"
  if [ "$(id -u)" = 0 ] && [ -n "${CI:-}" ]; then
    echo "[setup] CI as root: installing them now"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${APT_PACKAGES[@]}"
    has_apt_packages || { echo "[setup] Jupyter, Chromium or the DejaVu fonts still missing after apt-get install" >&2; exit 1; }
  else
    exit 1
  fi
fi

echo "[setup] 3/4 tslab kernel -> .jupyter/"
npx tslab install --python="$PY" --binary="$ROOT/scripts/tslab-kernel.cjs" --prefix="$ROOT/.jupyter"
"$PY" - <<'EOF'
import os, sys
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
expected = os.path.join(os.environ['JUPYTER_PATH'], 'kernels', 'tslab')
try:
    spec = KernelSpecManager().get_kernel_spec('tslab')
except NoSuchKernel:
    sys.exit(f'[setup] jupyter_client cannot find the tslab kernel under JUPYTER_PATH={os.environ["JUPYTER_PATH"]}')
if os.path.realpath(spec.resource_dir) != os.path.realpath(expected):
    sys.exit(f'[setup] jupyter_client resolves tslab to {spec.resource_dir}, expected {expected}')
if not os.access(spec.argv[0], os.X_OK):
    sys.exit(f'[setup] the tslab kernel starts {spec.argv[0]}, which is not executable')
print(f'[setup] kernel tslab ok: {spec.resource_dir} -> {spec.argv[0]}')
EOF

echo "[setup] 4/4 tfjs backend"
npx tsx -e "require('./src/core/backend').initBackend().catch((e) => { console.error(e.message); process.exit(1); })"

# Optional: Debian's PyTorch for `npm run bench -- --compare` and the benchmark's parity test (skipped without it).
if ! "$PY" -c 'import torch' 2>/dev/null; then
  echo "[setup] optional: PyTorch is missing for $PY; npm run bench -- --compare and the parity test need it:"
  echo "sudo apt-get install -y --no-install-recommends python3-torch libopenblas0-pthread"
fi

echo "[setup] done. Start Jupyter with: npm run notebook   (headless: npm run notebook -- --no-browser)"
