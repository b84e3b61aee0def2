#!/usr/bin/env bash
# npm run setup: install the Node dependencies, the Debian packages npm test needs (Jupyter, Chromium and the DejaVu
# fonts, which figure export and the report render with; PyTorch and Slurm for the tests that skip without them),
# register the tslab kernel in the project prefix .jupyter/ and report the tfjs backend. Safe to run again: every
# step overwrites its own result, and installed packages are left alone.
#
# The Debian packages: src/cli/setupPlan.ts holds their list and decides; as root it installs the missing ones, as a
# user with sudo at a terminal through sudo, otherwise it prints the apt line and stops (required packages missing)
# or goes on naming the tests that will skip (only optional ones missing).
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
# The browser itself: /usr/bin/chromium is a wrapper script (src/viz/export.ts drives this binary).
CHROMIUM=/usr/lib/chromium/chromium
DEJAVU=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
export JUPYTER_PATH="$ROOT/.jupyter/share/jupyter"

echo "[setup] 1/4 npm ci"
npm ci --no-audit --no-fund

echo "[setup] 2/4 Debian packages: Jupyter for $PY, Chromium, DejaVu fonts; PyTorch and Slurm for npm test"
npx tsx src/cli/setupPlan.ts
# What the next steps and npm test use, checked directly (dpkg lists packages, not whether these work).
"$PY" -c 'import jupyter_client, nbconvert, nbclient, ipykernel' 2>/dev/null || { echo "[setup] Jupyter does not import in $PY" >&2; exit 1; }
[ -x "$CHROMIUM" ] || { echo "[setup] Chromium is missing ($CHROMIUM)" >&2; exit 1; }
[ -f "$DEJAVU" ] || { echo "[setup] the DejaVu fonts are missing ($DEJAVU)" >&2; exit 1; }

echo "[setup] native matrix products: native/blas over OpenBLAS (optional; without it the wasm backend's XNNPACK runs)"
# npm sets npm_config_node_gyp (its bundled node-gyp) and npm_config_nodedir (Node's own headers) for scripts, so
# nothing is downloaded. A failed build is not fatal: src/core/nativeMatMul.ts then keeps XNNPACK and says why.
if echo "#include <cblas.h>" | cpp >/dev/null 2>&1; then
  node "${npm_config_node_gyp:?run this through npm run setup}" rebuild --directory=native/blas --loglevel=warn \
    || echo "[setup] native/blas did not build (see above); the wasm backend's XNNPACK products will run"
else
  echo "[setup] libopenblas-dev is missing: native/blas not built; the wasm backend's XNNPACK products will run"
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

echo "[setup] done. Start Jupyter with: npm run notebook   (headless: npm run notebook -- --no-browser)"
