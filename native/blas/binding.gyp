{
  "targets": [
    {
      "target_name": "metadyn_blas",
      "sources": ["metadyn_blas.c"],
      "libraries": ["-lopenblas"],
      "cflags": ["-O2", "-std=c11"]
    }
  ]
}
