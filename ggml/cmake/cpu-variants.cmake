# Which of ggml's x86-64 CPU variants the portable build compiles.
#
# llama-cpp-sys-2's `dynamic-backends` feature turns on GGML_CPU_ALL_VARIANTS,
# which compiles ggml's CPU code fourteen times, once per CPU family; the list
# is fixed in ggml/src/CMakeLists.txt and no option trims it. Each copy costs
# about 45 s of compiler time, more than half of the whole llama.cpp build. The
# ones left out here add nothing a kept one lacks for a family that is still
# common, and a CPU of theirs runs the kept variant below it:
#   ivybridge, piledriver (AVX with F16C/FMA, no AVX2)   -> sandybridge
#   cannonlake, cascadelake, cooperlake (AVX-512 with    -> skylakex
#     VBMI or VNNI or BF16 alone)
#
# CMake includes this file right after llama.cpp's `project(ggml)`
# (CMAKE_PROJECT_ggml_INCLUDE, set in .cargo/config.toml, which llama-cpp-sys-2
# passes on). ggml defines `ggml_add_cpu_backend_variant` later, so this file
# cannot simply replace it: it waits until ggml reads GGML_CPU_ALL_VARIANTS to
# start the list (the function exists by then), and wraps the function so that
# a variant not named here is skipped.
set(INF_WASI_CPU_VARIANTS x64 sse42 sandybridge haswell skylakex icelake zen4 alderlake sapphirerapids)

function(inf_wasi_wrap_cpu_variants variable access)
  get_property(wrapped GLOBAL PROPERTY INF_WASI_CPU_VARIANTS_WRAPPED)
  if (wrapped OR NOT COMMAND ggml_add_cpu_backend_variant)
    return()
  endif()
  set_property(GLOBAL PROPERTY INF_WASI_CPU_VARIANTS_WRAPPED TRUE)
  # Redefining a command keeps the previous one as `_NAME`.
  function(ggml_add_cpu_backend_variant tag_name)
    if (tag_name IN_LIST INF_WASI_CPU_VARIANTS)
      _ggml_add_cpu_backend_variant(${tag_name} ${ARGN})
    endif()
  endfunction()
endfunction()

variable_watch(GGML_CPU_ALL_VARIANTS inf_wasi_wrap_cpu_variants)
