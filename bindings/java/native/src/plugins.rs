//! Plugins over JNI (Plugin.java): a plugin is composed and compiled by the
//! Rust host (`Engine::plugin`) and kept behind a number like engines are.

use crate::guard;
use crate::handles::{ENGINES, PLUGINS};
use crate::java::{self, jni_error};
use jni::objects::{JByteArray, JClass, JObject, JString};
use jni::sys::{jlong, jobjectArray};
use jni::JNIEnv;

#[no_mangle]
pub extern "system" fn Java_dev_infwasi_Native_pluginOpen<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    engine: jlong,
    plugin: JByteArray<'l>,
) -> jlong {
    guard(&mut env, 0, |env| {
        if plugin.is_null() {
            return Err(inf_wasi::Error::InvalidInput("a plugin's bytes must not be null".into()));
        }
        let bytes = env.convert_byte_array(&plugin).map_err(jni_error)?;
        let plugin = ENGINES.get(engine)?.plugin_from_bytes(&bytes)?;
        Ok(PLUGINS.insert(plugin))
    })
}

/// One call: `[output, error, stdout, stderr]` (`String`, `String`, `byte[]`,
/// `byte[]`), exactly one of output and error not null.
#[no_mangle]
pub extern "system" fn Java_dev_infwasi_Native_pluginRun<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    plugin: jlong,
    input: JString<'l>,
) -> jobjectArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let input = java::string(env, &input, "a plugin's input")?;
        let run = PLUGINS.get(plugin)?.run(&input)?;
        let build = |env: &mut JNIEnv<'l>| -> jni::errors::Result<jobjectArray> {
            let (output, error): (JObject, JObject) = match &run.output {
                Ok(text) => (env.new_string(text)?.into(), JObject::null()),
                Err(message) => (JObject::null(), env.new_string(message)?.into()),
            };
            let stdout = env.byte_array_from_slice(&run.stdout)?;
            let stderr = env.byte_array_from_slice(&run.stderr)?;
            let array = env.new_object_array(4, "java/lang/Object", JObject::null())?;
            for (i, item) in [output, error, stdout.into(), stderr.into()].into_iter().enumerate() {
                env.set_object_array_element(&array, i as i32, item)?;
            }
            Ok(array.into_raw())
        };
        build(env).map_err(jni_error)
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_infwasi_Native_pluginClose(mut env: JNIEnv, _: JClass, plugin: jlong) {
    guard(&mut env, (), |_| {
        PLUGINS.remove(plugin);
        Ok(())
    })
}
