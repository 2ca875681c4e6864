// Parity with R's BradleyTerry2 (BTm + BTabilities) on its own data sets; the references come
// from test/fixtures/bradleyterry2.R (fitted with glm.control(epsilon = 1e-15)).
import { describe, expect, it } from "vitest";
import fixtures from "../fixtures/bradleyterry2.json" with { type: "json" };
import { fitBradleyTerry, type Comparison } from "../../src/index.js";
import { expectClose } from "../helpers/close.js";

describe("agreement with R's BradleyTerry2", () => {
  for (const name of ["citations", "baseball", "icehockey"] as const) {
    const data = fixtures[name];
    it(`${name}: abilities to 1e-9, standard errors to 1e-6 relative`, () => {
      const fit = fitBradleyTerry(data.comparisons as unknown as Comparison[], {
        reference: data.reference,
        nItems: data.items.length,
      });
      expect(fit.converged).toBe(true);
      fit.logStrength.forEach((v, i) => expectClose(v, data.ability[i], { abs: 1e-9 }, `${data.items[i]} ability`));
      fit.stdError!.forEach((v, i) => expectClose(v, data.stdError[i], { rel: 1e-6 }, `${data.items[i]} s.e.`));
    });
  }
  it("baseball with a home advantage (~ team + at.home): abilities, errors and the order effect", () => {
    const data = fixtures.baseballHome;
    const fit = fitBradleyTerry(data.comparisons as unknown as Comparison[], {
      reference: 0,
      nItems: data.items.length,
      orderEffect: data.orderEffect,
    });
    expect(fit.converged).toBe(true);
    fit.logStrength.forEach((v, i) => expectClose(v, data.ability[i], { abs: 1e-9 }, `${data.items[i]} ability`));
    fit.stdError!.forEach((v, i) => expectClose(v, data.stdError[i], { rel: 1e-6 }, `${data.items[i]} s.e.`));
    expectClose(fit.orderEffect!.estimate, data.home, { abs: 1e-9 });
    expectClose(fit.orderEffect!.stdError!, data.homeStdError, { rel: 1e-6 });
    // the centred gauge gives the same order effect and differences
    const centred = fitBradleyTerry(data.comparisons as unknown as Comparison[], { orderEffect: data.orderEffect });
    expectClose(centred.orderEffect!.estimate, data.home, { abs: 1e-9 });
    expectClose(centred.logStrength[3] - centred.logStrength[0], data.ability[3], { abs: 1e-9 });
  });
});

describe("Davidson's model for ties (football 2008-9, against R's Poisson log-linear fit)", () => {
  for (const name of ["footballDavidson", "footballDavidsonHome"] as const) {
    it(`${name}: abilities to 1e-9, log ν and errors to 1e-6 relative`, () => {
      const data = fixtures[name];
      const withHome = name === "footballDavidsonHome";
      const fit = fitBradleyTerry(data.comparisons as unknown as Comparison[], {
        reference: 0,
        nItems: data.items.length,
        ties: data.ties as unknown as Comparison[],
        ...(withHome ? { orderEffect: data.orderEffect, tieOrderEffect: data.tieOrderEffect } : {}),
      });
      expect(fit.converged).toBe(true);
      fit.logStrength.forEach((v, i) => expectClose(v, data.ability[i], { abs: 1e-9 }, `${data.items[i]} ability`));
      fit.stdError!.forEach((v, i) => expectClose(v, data.stdError[i], { rel: 1e-6 }, `${data.items[i]} s.e.`));
      expectClose(fit.tieParameter!.estimate, data.logNu, { abs: 1e-9 });
      expectClose(fit.tieParameter!.stdError!, data.logNuStdError, { rel: 1e-6 });
      if (withHome) {
        const home = fixtures.footballDavidsonHome;
        expectClose(fit.orderEffect!.estimate, home.home, { abs: 1e-9 });
        expectClose(fit.orderEffect!.stdError!, home.homeStdError, { rel: 1e-6 });
      }
    });
  }
});
