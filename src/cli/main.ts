/**
 * The `luce` command line: dispatches to one module per subcommand.
 * @internal
 */
import { readFileSync } from "node:fs";
import { LuceError } from "../errors.js";

interface Subcommand {
  readonly summary: string;
  readonly run: (args: string[]) => Promise<number>;
}

const subcommands: Record<string, Subcommand> = {};

/** Registers the subcommands; each lives in its own module and is loaded on demand. */
function load(): void {
  subcommands.verify = {
    summary: "check every statement of the DPO paper's section 5 and appendix A numerically",
    run: async (args) => (await import("./verify.js")).verifyCommand(args),
  };
  subcommands.fit = {
    summary: "fit Bradley–Terry or Plackett–Luce strengths to a CSV or JSON Lines file",
    run: async (args) => (await import("./fit.js")).fitCommand(args),
  };
  subcommands.frontier = {
    summary: "plot the exact reward–KL frontier with DPO-trained policies (the paper's Figure 2, left)",
    run: async (args) => (await import("./frontier.js")).frontierCommand(args),
  };
  subcommands.leaderboard = {
    summary: "an arena leaderboard (ratings, 95% intervals, ranks) from a model_a,model_b,winner battle log",
    run: async (args) => (await import("./leaderboard.js")).leaderboardCommand(args),
  };
}

function usage(): string {
  const lines = ["usage: luce <command> [options]", "", "commands:"];
  for (const [name, sub] of Object.entries(subcommands)) lines.push(`  ${name.padEnd(10)} ${sub.summary}`);
  lines.push("", "Run `luce <command> --help` for a command's options.");
  return lines.join("\n");
}

/**
 * Runs the command line with the given arguments (without `node` and the script).
 * @returns the process exit code
 * @internal
 */
export async function run(args: string[]): Promise<number> {
  load();
  const [name, ...rest] = args;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === "--version") {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    console.log(pkg.version);
    return 0;
  }
  const sub = subcommands[name];
  if (sub === undefined) {
    console.error(
      `luce: unknown command '${name}' (commands: ${Object.keys(subcommands).join(", ")}; see luce --help)`,
    );
    return 2;
  }
  try {
    return await sub.run(rest);
  } catch (e) {
    const message = userErrorMessage(`luce ${name}`, e);
    if (message === undefined) throw e;
    console.error(message);
    return 2;
  }
}

/**
 * The one line to print for an error the user's input caused, or undefined for an error in luce
 * itself (which keeps its stack trace). A {@link LuceError} is the input's fault (a flag, a file, or
 * data the library refused); so is a file the system would not open or write.
 */
function userErrorMessage(command: string, e: unknown): string | undefined {
  if (e instanceof LuceError) return e.message.startsWith(`${command}: `) ? e.message : `${command}: ${e.message}`;
  const { code, path, syscall } = e as { code?: unknown; path?: unknown; syscall?: unknown };
  if (typeof code === "string" && typeof path === "string" && typeof syscall === "string") {
    // Node's message is "CODE: what went wrong, syscall 'path'": keep what went wrong
    const what = String((e as Error).message)
      .replace(`${code}: `, "")
      .replace(/, \w+ '.*'$/, "");
    return `${command}: cannot ${syscall} '${path}': ${what}`;
  }
  return undefined;
}
