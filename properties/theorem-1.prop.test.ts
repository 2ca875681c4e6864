// Theorem 1: the projection f(r) is in r's class, equals β log π_r/π_ref and has Z = 1.
import { expect } from "vitest";
import { test } from "@fast-check/vitest";
import { equivalentRewardsArbitrary, finiteProblemArbitrary } from "../src/arbitraries/index.js";
import {
  areEquivalentRewards,
  impliedReward,
  logOptimalPolicy,
  logPartition,
  logSpace,
  projectReward,
} from "../src/index.js";
import { EPS, size } from "./helpers.js";

test.prop([equivalentRewardsArbitrary(finiteProblemArbitrary())])(
  "f(r) is the class's unique member with Z = 1",
  ({ problem, shifted }) => {
    const { beta } = problem;
    const ref = logSpace(problem.logReference);
    const f = projectReward(problem.reward, ref, beta);
    const scale = size(problem.reward) + size(shifted) + beta * size(problem.logReference) + size(f);
    const bound = 16 * EPS * scale;
    expect(areEquivalentRewards(f, problem.reward, { absoluteTolerance: bound })).toBe(true);
    const represented = impliedReward(logSpace(logOptimalPolicy(problem.reward, ref, beta)), ref, beta);
    f.forEach((row, x) => row.forEach((v, y) => expect(Math.abs(v - represented[x][y])).toBeLessThanOrEqual(bound)));
    logPartition(f, ref, beta).forEach((z) => expect(Math.abs(z)).toBeLessThanOrEqual(bound / beta));
    const fShifted = projectReward(shifted, ref, beta);
    f.forEach((row, x) => row.forEach((v, y) => expect(Math.abs(v - fShifted[x][y])).toBeLessThanOrEqual(bound)));
  },
);
