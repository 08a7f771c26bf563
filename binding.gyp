{
  "targets": [
    {
      "target_name": "r1kernels",
      "sources": [
        "native/addon.c", "native/pool.c", "native/gemm.c", "native/attention.c",
        "native/elementwise.c", "native/rows.c", "native/bf16.c", "native/addon_bf16.c"
      ],
      "cflags": ["-O3", "-fno-math-errno", "-fassociative-math", "-fno-signed-zeros", "-fno-trapping-math", "-pthread", "-Wall", "-Wno-unused-function",
                 "<!@(node scripts/build-native.mjs --cflags)"],
      "cflags_c": ["-std=gnu11"],
      "ldflags": ["-pthread"],
      "conditions": [
        ["OS=='mac'", {
          "libraries": ["-framework Accelerate"],
          "xcode_settings": {
            "OTHER_CFLAGS": ["-O3", "-fno-math-errno", "-fassociative-math", "-fno-signed-zeros", "-fno-trapping-math", "-std=gnu11"]
          }
        }, {
          "libraries": ["-lopenblas", "-lpthread", "-lm"]
        }]
      ]
    }
  ]
}
