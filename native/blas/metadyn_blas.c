/*
 * metadyn_blas: float32 matrix products of the tfjs wasm backend computed by OpenBLAS (cblas_sgemm), in place on
 * the wasm heap (src/core/nativeMatMul.ts registers them as the wasm backend's BatchMatMul kernel).
 *
 *   batchSgemm(heap, aOffset, bOffset, cOffset, batch, aStride, bStride, m, n, k, transposeA, transposeB)
 *     for i in 0..batch-1:  C_i = op(A_i) · op(B_i),  C_i m × n, op(A_i) m × k, op(B_i) k × n, all row-major,
 *     A_i at heap[aOffset + i·aStride], B_i at heap[bOffset + i·bStride], C_i at heap[cOffset + i·m·n]
 *     (a stride of 0 broadcasts one matrix over the batch); offsets and strides count float32 elements.
 *   setThreads(n) / threads(): OpenBLAS's thread count; config(): its build string.
 *
 * `heap` is a Float32Array over the whole WebAssembly.Memory buffer: the addon reads and writes the tensors where
 * the backend keeps them, so no copy crosses the boundary. Bounds are checked against the view's length.
 */
#include <node_api.h>
#include <stdbool.h>
#include <stdint.h>
#include <cblas.h>

extern void openblas_set_num_threads(int num_threads);
extern int openblas_get_num_threads(void);
extern char *openblas_get_config(void);

#define CHECK(env, call)                                                   \
  do {                                                                     \
    if ((call) != napi_ok) {                                               \
      napi_throw_error((env), NULL, "metadyn_blas: N-API call failed: " #call); \
      return NULL;                                                         \
    }                                                                      \
  } while (0)

static bool get_int64(napi_env env, napi_value v, int64_t *out) {
  return napi_get_value_int64(env, v, out) == napi_ok;
}

static napi_value batch_sgemm(napi_env env, napi_callback_info info) {
  size_t argc = 12;
  napi_value argv[12];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 12) {
    napi_throw_type_error(env, NULL, "batchSgemm: expected 12 arguments");
    return NULL;
  }
  napi_typedarray_type type;
  size_t length;
  void *data;
  napi_value buffer;
  size_t byte_offset;
  if (napi_get_typedarray_info(env, argv[0], &type, &length, &data, &buffer, &byte_offset) != napi_ok || type != napi_float32_array) {
    napi_throw_type_error(env, NULL, "batchSgemm: heap must be a Float32Array");
    return NULL;
  }
  int64_t v[9];
  for (int i = 0; i < 9; i++) {
    if (!get_int64(env, argv[i + 1], &v[i]) || v[i] < 0) {
      napi_throw_type_error(env, NULL, "batchSgemm: offsets, strides and sizes must be non-negative integers");
      return NULL;
    }
  }
  bool ta, tb;
  if (napi_get_value_bool(env, argv[10], &ta) != napi_ok || napi_get_value_bool(env, argv[11], &tb) != napi_ok) {
    napi_throw_type_error(env, NULL, "batchSgemm: transposeA and transposeB must be booleans");
    return NULL;
  }
  const int64_t a_off = v[0], b_off = v[1], c_off = v[2], batch = v[3], a_stride = v[4], b_stride = v[5], m = v[6], n = v[7], k = v[8];
  const int64_t len = (int64_t)length;
  // the last element each operand touches must lie inside the heap view
  if (batch > 0 && (a_off + (batch - 1) * a_stride + m * k > len || b_off + (batch - 1) * b_stride + k * n > len || c_off + batch * m * n > len)) {
    napi_throw_range_error(env, NULL, "batchSgemm: an operand reaches past the end of the heap");
    return NULL;
  }
  float *heap = (float *)data;
  const int lda = ta ? (int)m : (int)k;
  const int ldb = tb ? (int)k : (int)n;
  for (int64_t i = 0; i < batch; i++) {
    if (k == 0) {
      for (int64_t j = 0; j < m * n; j++) heap[c_off + i * m * n + j] = 0.0f;
      continue;
    }
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int)m, (int)n, (int)k, 1.0f,
                heap + a_off + i * a_stride, lda, heap + b_off + i * b_stride, ldb, 0.0f, heap + c_off + i * m * n, (int)n);
  }
  return NULL;
}

static napi_value set_threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t n;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 1 || napi_get_value_int32(env, argv[0], &n) != napi_ok || n < 1) {
    napi_throw_type_error(env, NULL, "setThreads: expected a positive integer");
    return NULL;
  }
  openblas_set_num_threads(n);
  return NULL;
}

static napi_value threads(napi_env env, napi_callback_info info) {
  napi_value out;
  CHECK(env, napi_create_int32(env, openblas_get_num_threads(), &out));
  return out;
}

static napi_value config(napi_env env, napi_callback_info info) {
  napi_value out;
  CHECK(env, napi_create_string_utf8(env, openblas_get_config(), NAPI_AUTO_LENGTH, &out));
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"batchSgemm", NULL, batch_sgemm, NULL, NULL, NULL, napi_default, NULL},
    {"setThreads", NULL, set_threads, NULL, NULL, NULL, napi_default, NULL},
    {"threads", NULL, threads, NULL, NULL, NULL, napi_default, NULL},
    {"config", NULL, config, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
