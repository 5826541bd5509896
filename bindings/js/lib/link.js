// What a component instance may import: the wasi:nn interfaces this package
// serves, and nothing else. jco's generated `instantiate` reads each import
// from the object it is given; this proxy answers a name it does not hold with
// a clear refusal, so a component that asks for more is never silently given
// `undefined` (or anything else) and fails to instantiate.
import { InfWasiError } from "./errors.js";

/**
 * @template {Record<string, any>} T
 * @param {T} imports the import object, by interface name
 * @param {string} [granted] what the component is given, for the refusal
 * @returns {T}
 */
export function grantOnly(imports, granted = "inf-wasi grants a component wasi:nn and nothing else") {
  return new Proxy(imports, {
    get(target, key, receiver) {
      if (typeof key === "string" && !Object.hasOwn(target, key)) {
        throw new InfWasiError(
          "backend",
          `the component was refused: it imports ${key}; ${granted}`,
        );
      }
      return Reflect.get(target, key, receiver);
    },
  });
}
