//! The GGUF check's table of tensor types is ggml's own: checked against the
//! linked llama.cpp, so an update of llama.cpp that changes it fails here.

#[test]
fn the_checks_type_table_matches_ggml() {
    let table = inf_wasi_gguf::tensor_types();
    assert_eq!(table.len() as u32, llama_cpp_sys_2::GGML_TYPE_COUNT);
    for (ty, &(block, bytes)) in table.iter().enumerate() {
        let ggml = unsafe { (llama_cpp_sys_2::ggml_blck_size(ty as u32), llama_cpp_sys_2::ggml_type_size(ty as u32)) };
        assert_eq!((block, bytes), (ggml.0 as u64, ggml.1 as u64), "ggml type {ty}");
    }
}
