import { LuceError } from "./errors.js";

/**
 * Loads a peer dependency that a subpath of luce needs, so that its absence is a {@link LuceError}
 * naming the package and how to install it, instead of Node's "Cannot find package". Resolution
 * starts from luce's own folder, as the subpath's static imports do, so it finds exactly the copy
 * those imports will get. A peer that is present but fails to load (a broken install, a missing
 * dependency of its own) is rethrown as it is.
 *
 * @param user - what needs the package, as the caller knows it: `"luce/arbitraries"`, `"luce verify"`
 * @param name - the package
 * @returns the package's module namespace
 * @throws {@link LuceError} when the package is not installed
 * @internal
 */
export async function requirePeer(user: string, name: string): Promise<unknown> {
  try {
    return await import(name);
  } catch (e) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (code === "ERR_MODULE_NOT_FOUND" && typeof message === "string" && message.includes(`'${name}'`)) {
      throw new LuceError(user, name, `is not installed; ${user} needs it: npm install ${name}`);
    }
    throw e;
  }
}
