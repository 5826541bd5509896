//! The built component imports wasi:nn and nothing else.

use wit_component::DecodedWasm;

#[test]
fn the_component_imports_only_wasi_nn() {
    let decoded = wit_component::decode(inf_wasi::COMPONENT).expect("a valid component");
    let DecodedWasm::Component(resolve, world) = decoded else { panic!("not a component") };
    let mut imports: Vec<String> = resolve.worlds[world].imports.keys().map(|k| resolve.name_world_key(k)).collect();
    imports.sort();
    eprintln!("imports: {imports:?}");
    assert_eq!(
        imports,
        [
            "wasi:nn/errors@0.2.0-rc-2024-10-28",
            "wasi:nn/graph@0.2.0-rc-2024-10-28",
            "wasi:nn/inference@0.2.0-rc-2024-10-28",
            "wasi:nn/tensor@0.2.0-rc-2024-10-28",
        ]
    );
    let mut exports: Vec<String> = resolve.worlds[world].exports.keys().map(|k| resolve.name_world_key(k)).collect();
    exports.sort();
    assert_eq!(exports, ["inf:wasi/inference@0.1.0", "inf:wasi/types@0.1.0"]);
}
