"""The "Privacy" section of a model card, in plain words, from the manifest's ``privacy`` section.

It never prints a line of a training corpus nor a canary (those stay in the ``private`` section);
only counts, figures, the method and what the figures do not guarantee.
"""

from __future__ import annotations

from ..manifest import AdapterManifest

METHOD = (
    "per-line masked-LM loss, the same fixed masked positions for the adapter and the frozen base; "
    "score = base loss - adapter loss (loss attack, Yeom et al. 2018, calibrated per line as in "
    "Carlini et al. 2022)"
)
LIMITS = (
    "An AUC near 0.5 means this attack could not tell training lines from held-out lines; it is not a "
    "guarantee. Stronger attacks (several reference models, more queries) may do better, rare or repeated "
    "lines may be memorised although the average line is not, and the figures say nothing about lines that "
    "were not sampled. Only differentially private training bounds what any attack can learn."
)


def _pct(value: float) -> str:
    return f"{100 * value:.1f} %"


def privacy_section(manifest: AdapterManifest) -> str:
    """Markdown for the card ("" for a manifest from before the ``privacy`` section: its card stays as it was)."""
    privacy = manifest.privacy
    clinical = (manifest.domain or "").lower() == "clinical"
    if privacy is None:
        return ""
    lines = ["## Privacy", ""]
    if privacy.private_corpus:
        lines.append("The training corpus was marked private by its owner; no line of it is published here.")
    elif clinical:
        lines.append("Clinical domain: no line of the training corpus is published here.")
    dp = privacy.dp
    if dp:
        lines += [
            "",
            f"**Differentially private training** (DP-SGD with Opacus): ε = {dp['epsilon']:.2f} at "
            f"δ = {dp['delta']:.2g}, per {dp.get('unit', 'training block')}; per-example gradients clipped to "
            f"norm {dp.get('max_grad_norm', '?')}, noise multiplier {dp['noise_multiplier']:.3f}, Poisson sampling "
            f"rate {dp['sample_rate']:.4g}, {dp['steps']} steps, {dp['accountant']} accountant. A smaller ε is a "
            "stronger guarantee; a line repeated k times in the corpus is protected only at about k·ε.",
        ]
    audit = privacy.audit
    if not audit:
        lines += ["", "No memorisation audit is recorded for this adapter (`adapterkit audit NAME` records one)."]
        return "\n".join(lines) + "\n"
    membership = audit.get("membership")
    lines += ["", f"**Memorisation audit** ({audit['created']}):"]
    if membership:
        low, high = membership["auc_low"], membership["auc_high"]
        lines += [
            "",
            f"- Membership inference on {membership['train_lines']:,} training and {membership['heldout_lines']:,} "
            f"held-out lines: ROC AUC {membership['auc']:.3f} ({_pct(membership.get('confidence', 0.95))} "
            f"bootstrap interval {low:.3f}–{high:.3f}); true-positive rate {_pct(membership['tpr_at_1pct_fpr'])} "
            f"at 1 % false positives, {_pct(membership['tpr_at_0.1pct_fpr'])} at 0.1 %.",
            f"  Method: {METHOD}.",
            "  " + ("0.5 lies inside the interval: the attack did no better than chance."
                    if low <= 0.5 <= high else
                    "The interval excludes 0.5: the attack tells training lines apart better than chance."),
        ]  # fmt: skip
    canaries = audit.get("canaries")
    if canaries:
        lines += [
            "",
            f"- Canaries (The Secret Sharer, Carlini et al. 2019): {canaries['count']} made-up patient records, "
            f"each inserted {canaries.get('repeats', '?')} times, each patient number ranked among "
            f"{canaries['candidates']:,} random numbers in the same sentence: exposure mean "
            f"{canaries.get('mean_exposure', 0):.1f}, highest "
            f"{canaries.get('max_exposure', 0):.1f} bits, of at most {canaries['max_possible']:.1f} "
            "(about 1 bit: not memorised; the maximum: ranked first, memorised).",
        ]
    lines += ["", f"Limits: {LIMITS}"]
    return "\n".join(lines) + "\n"
