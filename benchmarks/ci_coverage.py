"""Coverage and width of 95 % confidence intervals of a mean over k folds: t vs bootstrap.

The figures behind ``adapterkit.stats.t_interval``'s choice of the Student t-interval for the
comparison tables. Seeded normal samples of k fold differences (mean 0.01, sd 0.02, the scale of
F1 differences between variants); for each, the t-interval (``scipy.stats.t``), the percentile
and the BCa bootstrap (``scipy.stats.bootstrap``, seeded). Prints, per k, the share of samples
whose interval covers the true mean (nominal 0.95) and the mean width relative to the t-interval.
Pure SciPy, seconds per thousand samples. Usage:

    python benchmarks/ci_coverage.py [--samples 2000] [--resamples 2000] [--folds 5 10]
"""

from __future__ import annotations

import argparse

import numpy as np
from scipy import stats

TRUE_MEAN, SD = 0.01, 0.02


def intervals(sample: np.ndarray, resamples: int) -> dict[str, tuple[float, float]]:
    t = stats.t.interval(0.95, len(sample) - 1, loc=sample.mean(), scale=stats.sem(sample))
    out = {"t": (float(t[0]), float(t[1]))}
    for method in ("percentile", "BCa"):
        result = stats.bootstrap((sample,), np.mean, n_resamples=resamples, method=method, rng=np.random.default_rng(0))
        out[method] = (float(result.confidence_interval.low), float(result.confidence_interval.high))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--resamples", type=int, default=2000)
    parser.add_argument("--folds", type=int, nargs="+", default=[5, 10])
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    print("| folds | method | coverage | width / t width |")
    print("|---:|---|---:|---:|")
    for k in args.folds:
        covered = {"t": 0, "percentile": 0, "BCa": 0}
        width = dict.fromkeys(covered, 0.0)
        for _ in range(args.samples):
            for method, (low, high) in intervals(rng.normal(TRUE_MEAN, SD, k), args.resamples).items():
                covered[method] += low <= TRUE_MEAN <= high
                width[method] += high - low
        for method in covered:
            print(f"| {k} | {method} | {covered[method] / args.samples:.3f} | {width[method] / width['t']:.3f} |")


if __name__ == "__main__":
    main()
